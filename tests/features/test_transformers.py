from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from features import LogCountTransformer, RareCategoryGrouper


@parametrize_with_checks(
    [
        LogCountTransformer(),
        LogCountTransformer(upper_quantile=0.9),
        RareCategoryGrouper(),
        RareCategoryGrouper(min_count=1, other="rare"),
    ]
)
def test_transformers_follow_the_scikit_learn_contract(estimator: Any, check: Any) -> None:
    check(estimator)


def test_log_counts_clip_negatives_and_learned_upper_quantiles() -> None:
    counts = pd.DataFrame({"opens": [0.0, 1.0, 3.0, 100.0], "clicks": [-2.0, 0.0, np.nan, 1.0]})
    transformer = LogCountTransformer(upper_quantile=0.5).fit(counts)
    np.testing.assert_allclose(transformer.upper_, [2.0, 0.0])
    out = transformer.transform(counts)
    np.testing.assert_allclose(out[:, 0], np.log1p([0, 1, 2, 2]))
    np.testing.assert_allclose(out[:, 1], [0, 0, np.nan, 0])
    assert list(transformer.get_feature_names_out()) == ["opens", "clicks"]
    with pytest.raises(ValueError, match="upper_quantile"):
        LogCountTransformer(upper_quantile=1.5).fit(counts)


def test_rare_and_unseen_categories_become_other() -> None:
    train = pd.DataFrame(
        {"industry": ["software"] * 3 + ["retail"] * 2 + ["mining"],
         "country": ["KR"] * 4 + ["US", "unknown"]}
    )  # fmt: skip
    grouper = RareCategoryGrouper(min_count=2).fit(train)
    test = pd.DataFrame(
        {"industry": ["software", "mining", "space"], "country": ["US", "KR", "JP"]}
    )
    out = grouper.transform(test)
    assert out.tolist() == [["software", "other"], ["other", "KR"], ["other", "other"]]
    assert list(grouper.get_feature_names_out()) == ["industry", "country"]
    grouper.set_output(transform="pandas")
    assert grouper.transform(test)["industry"].tolist() == ["software", "other", "other"]


def test_rare_numbers_become_missing_in_numeric_columns() -> None:
    grouper = RareCategoryGrouper(min_count=2).fit(np.array([[1], [1], [2]]))
    np.testing.assert_array_equal(
        grouper.transform(np.array([[1], [2], [3]])), [[1], [np.nan], [np.nan]]
    )


def test_rare_category_grouper_checks_its_parameters() -> None:
    with pytest.raises(ValueError, match="min_count"):
        RareCategoryGrouper(min_count=0).fit([["a"]])
