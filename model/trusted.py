"""The types a served model file may contain, reviewed by a person before they are added.

`skops` refuses to load any type that is not trusted, so a pickled payload cannot run code on
load. A test trains the pipelines and fails when they hold a type that is not listed here:
review the new type (is it a plain estimator of a library we depend on, or our own?) and add it.
"""

from __future__ import annotations

TRUSTED_TYPES: tuple[str, ...] = (
    "collections.OrderedDict",
    "lightgbm.basic.Booster",
    "lightgbm.sklearn.LGBMClassifier",
    "model.cleaning.CategoryCleaner",
    "model.cleaning.NumericCleaner",
    "model.calibration.PlattCalibrator",
    "numpy.dtype",
)
