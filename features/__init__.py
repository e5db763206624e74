"""Events and lead attributes -> feature vectors: one definition, three paths that agree.

- `features.catalog`: `CATALOG` of `FeatureSpec`s and `feature_names()` (the column order)
- `features.arrays`: leads and events as numpy columns (`LeadArrays`, `EventArrays`)
- `features.compute`: `feature_rows(leads, events, as_of, settings)`, the one definition, and
  `compute` (the same as a frame)
- `features.frames`: `FeatureRows`, a few leads' features without pandas (`frame()`, `cells()`,
  `records()`), and `records` of a frame
- `features.load`: `online_features` / `online_rows` (one lead; `held_rows`: one the caller
  holds), `transient_features` / `transient_rows` (leads given inline), `batch_features` (a
  team), and their loaders
- `features.training`: point-in-time `training_set`s

The scikit-learn transformers of the model's preprocessing are in `model.cleaning`.
"""

from features.arrays import (
    DocumentTable,
    EventArrays,
    LeadArrays,
    epoch_seconds,
    event_arrays,
    lead_arrays,
    lead_rows,
)
from features.catalog import (
    CATALOG,
    FeatureSpec,
    categorical_names,
    feature_names,
    numeric_names,
)
from features.compute import ENGAGEMENT_WEIGHTS, compute, feature_rows
from features.frames import FeatureRows, records
from features.load import (
    Loaded,
    TransientLead,
    batch_features,
    held_rows,
    load_lead,
    load_team,
    online_features,
    online_rows,
    transient_features,
    transient_rows,
)
from features.training import TrainingSet, training_set

__all__ = [
    "CATALOG",
    "ENGAGEMENT_WEIGHTS",
    "DocumentTable",
    "EventArrays",
    "FeatureRows",
    "FeatureSpec",
    "LeadArrays",
    "Loaded",
    "TrainingSet",
    "TransientLead",
    "batch_features",
    "categorical_names",
    "compute",
    "epoch_seconds",
    "event_arrays",
    "feature_names",
    "feature_rows",
    "held_rows",
    "lead_arrays",
    "lead_rows",
    "load_lead",
    "load_team",
    "numeric_names",
    "online_features",
    "online_rows",
    "records",
    "training_set",
    "transient_features",
    "transient_rows",
]
