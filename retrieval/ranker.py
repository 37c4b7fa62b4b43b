"""The fitted models of the ask path: a logistic ranker over candidate features and a logistic abstention model
over question features, read from `retrieval/fitted.json` (section `ranking`, written by `retrieval.fit_ranking`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

import numpy as np

from retrieval import fitted
from retrieval.features import CANDIDATE_FEATURES, QUESTION_FEATURES

SECTION = "ranking"


@dataclass(frozen=True)
class LogisticModel:
    """logit = intercept + Σ coef_i · (x_i − mean_i) / scale_i; probability = 1 / (1 + e^−logit)."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_values(cls, values: dict[str, Any], expected: Sequence[str]) -> "LogisticModel":
        names = tuple(values["features"])
        if names != tuple(expected):
            raise fitted.MissingFit(f"fitted features {names} are not the code's {tuple(expected)}; "
                                    "run `python -m retrieval.fit_ranking`")
        return cls(names, np.asarray(values["mean"], float), np.asarray(values["scale"], float),
                   np.asarray(values["coef"], float), float(values["intercept"]))

    def to_values(self) -> dict[str, Any]:
        return {"features": list(self.names), "mean": self.mean.round(6).tolist(),
                "scale": self.scale.round(6).tolist(), "coef": self.coef.round(6).tolist(),
                "intercept": round(self.intercept, 6)}

    def logits(self, x: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(np.asarray(x, float))
        return self.intercept + ((x - self.mean) / self.scale) @ self.coef


def probability(logit: float | np.ndarray) -> float | np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(logit, float)))


@dataclass(frozen=True)
class Ranking:
    ranker: LogisticModel
    abstainer: LogisticModel
    answer_threshold: float  # probability the top sentence answers, below which the corpus has no answer
    extra_threshold: float  # ranker probability a further answer (2nd, 3rd) needs

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> "Ranking":
        return cls(LogisticModel.from_values(values["ranker"], CANDIDATE_FEATURES),
                   LogisticModel.from_values(values["abstainer"], QUESTION_FEATURES),
                   float(values["answer_threshold"]), float(values["extra_threshold"]))


@lru_cache(maxsize=1)
def load_ranking() -> Ranking:
    """The fitted ranking. Raises fitted.MissingFit when it was never fitted or the features changed."""
    return Ranking.from_values(fitted.load(SECTION))
