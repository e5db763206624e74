"""Training on a user's table: reading it, planning its columns, pipelines and cross-validation."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from model.cleaning import CategoryCleaner, NumericCleaner
from model.errors import DataError, ModelError, TargetNotBinary, UnknownColumn
from model.search import candidate_params
from model.tabular import Kind, build_pipeline, cross_validate, detect_columns, load_table

X_EDUCATION = Path(__file__).resolve().parents[3] / "shared/data/x_education_leads/Leads.csv"
AFTER_CONTACT = ["Tags", "Lead Quality", "Last Notable Activity"]
# CategoryCleaner outputs text labels; these checks compare outputs by subtracting them.
TEXT_OUTPUT_CHECKS = (
    "check_pipeline_consistency",
    "check_estimators_pickle",
    "check_transformer_data_not_an_array",
    "check_transformer_general",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_fit_idempotent",
)


def form_leads(rows: int = 40, seed: int = 0) -> pd.DataFrame:
    """Leads as a web-form export holds them: text cells, ids, `Select` for unanswered lists."""
    rng = np.random.default_rng(seed)
    visits = rng.integers(0, 20, rows).astype(str).astype(object)
    visits[::7] = "Select"
    visits[3::11] = ""
    source = rng.choice(["Google", "Direct Traffic", "Select", " N/A "], rows)
    return pd.DataFrame(
        {
            "Prospect ID": [f"id-{rng.integers(1 << 40):x}-{i}" for i in range(rows)],
            "Lead Number": [str(660_000 - 3 * i) for i in range(rows)],
            "TotalVisits": visits,
            "Lead Source": source,
            "Magazine": ["No"] * rows,
            "Notes": rng.choice(["", "N/A", "Select"], rows),
            "Converted": rng.choice(["Yes", "No"], rows, p=[0.7, 0.3]),
        },
        dtype=object,
    )


def learnable_leads(rows: int = 600, seed: int = 0) -> pd.DataFrame:
    """Leads whose conversion follows time on site and source, with one noise column."""
    rng = np.random.default_rng(seed)
    minutes = rng.normal(size=rows)
    source = rng.choice(["Google", "Referral", "Olark Chat", "Select"], rows)
    lift = pd.Series(source).map({"Google": 0.0, "Referral": 1.5, "Olark Chat": -1.0}).fillna(0)
    chance = 1 / (1 + np.exp(-(2.5 * minutes + lift.to_numpy() - 0.5)))
    return pd.DataFrame(
        {
            "Lead Number": np.arange(rows) + 1000,
            "Minutes on site": minutes.round(3),
            "Lead Source": source,
            "Noise": rng.normal(size=rows),
            "Converted": (rng.random(rows) < chance).astype(int),
        }
    )


def test_detection_drops_ids_constants_and_empties_and_reads_numeric_text() -> None:
    plan = detect_columns(form_leads(), "Converted")

    assert plan.numeric == ("TotalVisits",)
    assert plan.categorical == ("Lead Source",)
    assert {c.name: c.reason for c in plan.dropped} == {
        "Prospect ID": "identifier",
        "Lead Number": "identifier",
        "Magazine": "constant",
        "Notes": "empty",
    }


def test_placeholders_are_missing_and_missing_is_a_category_of_its_own() -> None:
    frame = form_leads()
    plan = detect_columns(frame, "Converted", drop=["Lead Source"])
    numbers = NumericCleaner().fit_transform(frame[["TotalVisits"]])[:, 0]
    labels = CategoryCleaner().fit_transform(frame[["Lead Source"]])[:, 0]

    assert plan.dropped[0].name == "Lead Source"
    assert plan.dropped[0].reason == "requested"
    assert np.isnan(numbers[::7]).all()
    assert np.isnan(numbers[3::11]).all()
    assert set(labels) == {"Google", "Direct Traffic", "missing"}


def test_yes_no_target_maps_yes_to_one_even_when_yes_is_the_majority() -> None:
    frame = form_leads()
    frame.loc[0, "Converted"] = "Select"  # an open lead: no outcome yet
    coding = detect_columns(frame, "Converted").target
    labels = coding.labels(frame["Converted"])

    assert (coding.positive, coding.negative) == ("Yes", "No")
    assert np.isnan(labels[0])
    assert (labels[1:] == (frame["Converted"][1:] == "Yes")).all()


@pytest.mark.parametrize(
    ("values", "positive"),
    [
        ([True, False, False, True], "True"),
        ([0, 1, 1, 1], "1"),
        (["1.0", "0.0", "0.0", "1.0"], "1.0"),
        (["won", "lost", "lost", "Lost"], "won"),
        (["lost", "won", "won", "lost"], "won"),  # a tie goes to the later name
    ],
)
def test_target_classes_map_to_one_as_named_or_as_the_minority(
    values: list[object], positive: str
) -> None:
    frame = pd.DataFrame({"outcome": values, "x": [1.5, 2.5, 3.5, 0.5]})

    assert detect_columns(frame, "outcome").target.positive == positive


def test_errors_name_the_column_and_the_problem() -> None:
    frame = form_leads()
    with pytest.raises(UnknownColumn, match=r"^target 'Convertd' is not a column; columns are: "):
        detect_columns(frame, "Convertd")
    with pytest.raises(UnknownColumn, match=r"cannot drop 'Tags': it is not a column") as drop:
        detect_columns(frame, "Converted", drop=["Tags"])
    frame["Converted"] = ["Yes", "No", "Maybe", "No"] * 10
    with pytest.raises(TargetNotBinary, match=r"'Converted'.*found 3 \('Maybe', 'No', 'Yes'\)"):
        detect_columns(frame, "Converted")

    assert "'Lead Source'" in str(drop.value)
    assert drop.value.column == "Tags"
    assert isinstance(drop.value, DataError)
    assert isinstance(drop.value, ModelError)
    assert isinstance(drop.value, ValueError)


def test_load_table_reads_a_semicolon_cp949_csv_and_an_xlsx(tmp_path: Path) -> None:
    csv_path = tmp_path / "leads.csv"
    csv_path.write_bytes("회사;방문;전환\n에이스;3;예\n베타;N/A;아니오\n".encode("cp949"))
    workbook = openpyxl.Workbook()
    workbook.active.append(["Company", "Visits", "Converted"])
    workbook.active.append(["Acme", 3, "Yes"])
    workbook.save(tmp_path / "leads.xlsx")

    from_csv = load_table(csv_path)
    from_xlsx = load_table(tmp_path / "leads.xlsx")

    assert from_csv.columns.tolist() == ["회사", "방문", "전환"]
    assert from_csv.to_numpy().tolist() == [["에이스", "3", "예"], ["베타", "N/A", "아니오"]]
    assert from_xlsx.to_numpy().tolist() == [["Acme", "3", "Yes"]]


def test_load_table_refuses_a_file_with_shifted_rows(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n")

    with pytest.raises(DataError, match=r"broken.csv: 1 rows cannot be read: line 3: expected 3"):
        load_table(path)


@pytest.mark.parametrize("kind", ["logistic", "lightgbm"])
def test_a_fitted_pipeline_scores_rows_with_unseen_values_and_only_the_feature_columns(
    kind: Kind,
) -> None:
    frame = learnable_leads(200)
    plan = detect_columns(frame, "Converted")
    pipeline = build_pipeline(plan, kind, seed=1).fit(frame, frame["Converted"])
    new = pd.DataFrame({"Minutes on site": ["2.5", "Select"], "Lead Source": ["TikTok", ""]})

    chances = pipeline.predict_proba(new.assign(Noise=0.0))[:, 1]

    assert plan.dropped[0].reason == "identifier"
    assert chances[0] > chances[1]
    assert len(pipeline[:-1].get_feature_names_out()) >= 3


def test_cross_validation_learns_a_signal_and_is_deterministic_for_a_seed() -> None:
    frame = learnable_leads()

    first = cross_validate(frame, "Converted", folds=4, seeds=(7,))
    again = cross_validate(frame, "Converted", folds=4, seeds=(7,))
    baseline = cross_validate(frame, "Converted", folds=4, seeds=(7,), kind="logistic")

    assert first.roc_auc.mean > 0.8
    assert baseline.roc_auc.mean > 0.8
    assert [len(m.folds) for m in (first.roc_auc, first.pr_auc, first.brier)] == [4, 4, 4]
    assert first.to_json() == again.to_json()
    assert first.to_json()["columns"]["dropped"] == {"Lead Number": "identifier"}  # type: ignore[index]
    assert (first.rows, first.positives) == (600, int(frame["Converted"].sum()))


def test_each_seed_reshuffles_the_folds() -> None:
    report = cross_validate(learnable_leads(300), "Converted", folds=3, seeds=(0, 1))

    assert len(report.roc_auc.folds) == 6
    assert report.roc_auc.folds[:3] != report.roc_auc.folds[3:]


def test_nested_search_picks_parameters_per_training_fold() -> None:
    report = cross_validate(learnable_leads(200), "Converted", folds=2, search=2)

    assert len(report.chosen_params) == 2
    assert all(params in candidate_params(2) for params in report.chosen_params)
    assert report.roc_auc.mean > 0.75


def test_cross_validation_needs_a_row_of_each_class_per_fold() -> None:
    frame = learnable_leads(100)
    frame["Converted"] = [1, 1] + [0] * 98

    with pytest.raises(DataError, match=r"'Converted' has 2 labelled rows of '1'; 5-fold"):
        cross_validate(frame, "Converted")


@pytest.mark.skipif(not X_EDUCATION.exists(), reason=f"X Education data not found at {X_EDUCATION}")
def test_cross_validation_on_x_education_leads_separates_converters() -> None:
    frame = load_table(X_EDUCATION).head(1_500)

    report = cross_validate(frame, "Converted", drop=AFTER_CONTACT, folds=3)

    assert report.roc_auc.mean > 0.85
    assert {"Prospect ID", "Lead Number"} <= set(report.to_json()["columns"]["dropped"])  # type: ignore[index]


def test_category_cleaner_survives_pickling_and_refitting() -> None:
    frame = form_leads()[["Lead Source", "TotalVisits"]]
    cleaner = CategoryCleaner().fit(frame)
    expected = cleaner.transform(frame)

    restored = pickle.loads(pickle.dumps(cleaner))

    assert (restored.transform(frame) == expected).all()
    assert (cleaner.fit(frame).transform(frame) == expected).all()
    assert (cleaner.transform(frame[::-1]) == expected[::-1]).all()
    assert cleaner.get_feature_names_out().tolist() == ["Lead Source", "TotalVisits"]


def text_output_failures(estimator: object) -> dict[str, str]:
    """The checks CategoryCleaner cannot pass by design, and why."""
    if not isinstance(estimator, CategoryCleaner):
        return {}
    return dict.fromkeys(TEXT_OUTPUT_CHECKS, "outputs text labels; covered by the test above")


CLEANERS = [NumericCleaner(), NumericCleaner(clip_quantile=0.9, log_skewed=True), CategoryCleaner()]


@parametrize_with_checks(CLEANERS, expected_failed_checks=text_output_failures)  # type: ignore[untyped-decorator]
def test_cleaners_follow_the_scikit_learn_contract(
    estimator: object, check: Callable[[object], None]
) -> None:
    check(estimator)
