"""Per-call LLM schemas: enumerations of the input, bounded free text."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agents.schemas import pick_schema, written_schema

TEXT = {"subject": "A short call", "opening": "You read most of the deck.",
        "paragraphs": ["Would a short call next week help your team?"]}  # fmt: skip


def test_pick_schema_accepts_only_the_steps_actions_and_the_librarys_slugs() -> None:
    schema = pick_schema(["reminder", "wait"], ["beta-case"])

    assert schema.model_validate({"action": "reminder", "reason": "quiet"}).content is None
    with pytest.raises(ValidationError):
        schema.model_validate({"action": "meeting_proposal", "reason": "x"})
    with pytest.raises(ValidationError):
        schema.model_validate({"action": "reminder", "content": "other", "reason": "x"})
    assert schema.model_json_schema()["properties"]["action"]["enum"] == ["reminder", "wait"]


def test_pick_schema_needs_an_allowed_action() -> None:
    with pytest.raises(ValueError, match="actions is empty"):
        pick_schema([], [])


def test_written_schema_enumerates_fact_ids_and_slugs() -> None:
    schema = written_schema(["F1", "F2"], ["beta-case"])

    written = schema.model_validate({**TEXT, "facts_used": ["F2"], "content_used": ["beta-case"]})
    assert (
        written.body == "You read most of the deck.\n\nWould a short call next week help your team?"
    )
    with pytest.raises(ValidationError):
        schema.model_validate({**TEXT, "facts_used": ["F3"]})
    properties = schema.model_json_schema()["properties"]
    assert properties["facts_used"]["items"]["enum"] == ["F1", "F2"]


def test_plain_text_schema_cannot_hold_digits_or_links() -> None:
    schema = written_schema(["F1"], [], plain_text=True)

    schema.model_validate({**TEXT, "facts_used": ["F1"]})
    for field, value in [("opening", "Save 90% today, really."), ("subject", "see http://x.io")]:
        with pytest.raises(ValidationError):
            schema.model_validate({**TEXT, "facts_used": [], field: value})
    assert "pattern" in schema.model_json_schema()["properties"]["paragraphs"]["items"]
