"""Fitted parameters: one JSON file the engine reads, one section per component.

Only fit scripts write it (`save`), each its own section, so a weight or threshold in the engine is never set
by hand: it is the output of a script over the tune split, and the script that wrote a section is named in it.

What depends on the embedding model's cosines (the ranking, the timeline's same-event model) is fitted per
model: the default model's fit is the plain section ("ranking"), another model's is "ranking@<model id>"
(`section_for`; ids from retrieval.model_packages.model_id).
"""
from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

FITTED_PATH = Path(__file__).with_name("fitted.json")
log = logging.getLogger(__name__)


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


def section_for(section: str, model: str) -> str:
    """The section holding `section`'s fit for the embedding model `model` (a CASEBOT_MODEL value)."""
    from retrieval.model_packages import DEFAULT_ID, model_id

    mid = model_id(model)
    return section if mid == DEFAULT_ID else f"{section}@{mid}"


def load_for_model(section: str, model: str, *, path: Path = FITTED_PATH) -> dict[str, Any]:
    """`section` as fitted for `model`; for a model never fitted, the default model's fit, with a warning once
    (its cosines are on another scale: answers and abstentions are then less reliable until the fit scripts are
    run with CASEBOT_MODEL set). Raises MissingFit when neither exists."""
    keyed = section_for(section, model)
    values = _all(path).get(keyed)
    if values is not None:
        return values
    if keyed != section:
        _warn_unfitted(section, model)
    return load(section, path=path)


@lru_cache(maxsize=None)
def _warn_unfitted(section: str, model: str) -> None:
    log.warning("no %s fit for CASEBOT_MODEL=%s: using the default model's; run `make fit` with this model set "
                "for answers and abstentions fitted to it", section, model)
