from __future__ import annotations

from features import CATALOG, feature_names
from features.catalog import WINDOWS, categorical_names, numeric_names


def test_names_are_unique_and_every_feature_is_described() -> None:
    names = feature_names()
    assert len(names) == len(set(names)) == len(CATALOG)
    assert all(spec.description and spec.source for spec in CATALOG)
    assert set(categorical_names()) == {"industry", "country", "source", "language"}
    assert len(numeric_names()) + len(categorical_names()) == len(names)


def test_windowed_counts_exist_for_every_window() -> None:
    windowed = {spec.window_days for spec in CATALOG if spec.name.startswith("opens_human_")}
    assert windowed == set(WINDOWS)
    assert {s.name for s in CATALOG if s.window_days == 7} == {
        "opens_human_7d",
        "clicks_human_7d",
        "sends_7d",
        "replies_7d",
        "activity_7d",
        "active_days_7d",
    }
