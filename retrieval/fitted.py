"""Fitted parameters: one JSON file the engine reads, one section per component.

Only fit scripts write it (`save`), each its own section, so a weight or threshold in the engine is never set
by hand: it is the output of a script over the tune split, and the script that wrote a section is named in it.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

FITTED_PATH = Path(__file__).with_name("fitted.json")


class MissingFit(KeyError):
    """A component's parameters were never fitted; run the script named in the message."""


@lru_cache(maxsize=None)
def _all(path: Path = FITTED_PATH) -> dict[str, Any]:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def load(section: str, *, path: Path = FITTED_PATH) -> dict[str, Any]:
    """The section's values as fitted. Raises MissingFit when the section is absent."""
    values = _all(path).get(section)
    if values is None:
        raise MissingFit(f"no fitted parameters for {section!r} in {path}")
    return values


def save(section: str, values: dict[str, Any], *, script: str, path: Path = FITTED_PATH) -> None:
    """Replace one section, leaving the others as they are; keys sorted so diffs stay small."""
    data = dict(_all(path))
    data[section] = {"fitted_by": script, **values}
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    _all.cache_clear()
