"""Checking a form submission's answers against the form's fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leads import normalize
from leads.errors import InvalidInput, UnknownField, ValidationFailed

if TYPE_CHECKING:
    from leads.forms import FormDefinition, FormField

MAX_TEXT = 5000


def check_answers(
    definition: FormDefinition, answers: dict[str, Any], form_name: str
) -> dict[str, Any]:
    """The answers, cleaned; every problem (unknown, missing, invalid) is reported at once."""
    fields = {f.name: f for f in definition.fields}
    errors: list[ValidationFailed] = [
        UnknownField(name, f"not a field of form {form_name!r}; fields are: {', '.join(fields)}")
        for name in answers
        if name not in fields
    ]
    cleaned: dict[str, Any] = {}
    for name, form_field in fields.items():
        value = answers.get(name)
        if _empty(value):
            if form_field.required:
                errors.append(ValidationFailed(name, "is required"))
            continue
        try:
            cleaned[name] = _clean(form_field, value)
        except ValidationFailed as exc:
            errors.append(exc)
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list) and not value


def _clean(form_field: FormField, value: Any) -> Any:
    name = form_field.name
    if form_field.type == "email":
        return normalize.normalize_email(str(value))
    if form_field.type == "checkbox":
        flag = value if isinstance(value, bool) else normalize.parse_bool(str(value), name)
        if flag is None:
            raise ValidationFailed(name, "must be yes or no")
        return flag
    if form_field.type == "number":
        try:
            return float(str(value).replace(",", ""))
        except ValueError:
            raise ValidationFailed(name, f"{value!r} is not a number") from None
    if form_field.type == "multiselect":
        items = value if isinstance(value, list) else str(value).split(",")
        chosen = [str(item).strip() for item in items if str(item).strip()]
        for item in chosen:
            _check_option(form_field, item)
        return chosen
    if isinstance(value, dict | list):
        raise ValidationFailed(name, "must be text")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise ValidationFailed(name, f"longer than {MAX_TEXT} characters")
    if form_field.type == "select":
        return _check_option(form_field, text)
    return text


def _check_option(form_field: FormField, choice: str) -> str:
    for option in form_field.options:
        if option.casefold() == choice.casefold():
            return option
    raise ValidationFailed(
        form_field.name, f"{choice!r} is not one of: {', '.join(form_field.options)}"
    )
