"""Load the synonym vocabularies shipped in `leads/vocab/*.json`."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from leads._text import fold


@cache
def load_synonyms(name: str) -> dict[str, tuple[str, ...]]:
    """Read `vocab/<name>.json`, a mapping of code -> list of synonyms, checking its shape."""
    text = resources.files("leads").joinpath("vocab", f"{name}.json").read_text("utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise TypeError(f"vocab/{name}.json must hold an object of code -> synonyms")
    vocab: dict[str, tuple[str, ...]] = {}
    for code, synonyms in data.items():
        if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
            raise TypeError(f"vocab/{name}.json: synonyms of {code!r} must be a list of strings")
        vocab[code] = tuple(synonyms)
    return vocab


@cache
def folded_index(name: str) -> dict[str, str]:
    """Map the folded form of every synonym (and code) of `vocab/<name>.json` to its code."""
    index: dict[str, str] = {}
    for code, synonyms in load_synonyms(name).items():
        for synonym in (code, *synonyms):
            index.setdefault(fold(synonym), code)
    return index
