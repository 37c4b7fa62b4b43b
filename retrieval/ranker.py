"""The fitted models of the ask path: a logistic ranker over candidate features and a logistic abstention model
over question features, read from `retrieval/fitted.json` (section `ranking`, or `ranking@<model>` for an
embedding model other than the default: retrieval.fitted.section_for; written by `retrieval.fit_ranking`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

import numpy as np

from retrieval import fitted
from retrieval.config import DEFAULT_MODEL
from retrieval.features import CANDIDATE_FEATURES, QUESTION_FEATURES

SECTION = "ranking"
# How sure casebot must be before it quotes (CASEBOT_ANSWER_MODE), each with its own fitted threshold:
# balanced answers when the corpus likely answers the question; cautious only when the first quote is likely
# right, so it abstains more and shows fewer wrong quotes (retrieval.fit_ranking prints both trade-offs).
ANSWER_MODES = ("balanced", "cautious")


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
    """The fitted models of the ask path (`python -m retrieval.fit_ranking`).

    `ranker` orders one question's candidates (pairwise, calibrated); `scorer` rates candidates on one scale
    across questions (pointwise) and gives the abstention model the logits it compares questions by; `abstainer`
    turns the inputs of the sentence shown first (`answering.answer_features`) into the probability that the
    corpus answers."""

    ranker: LogisticModel
    scorer: LogisticModel
    abstainer: LogisticModel
    answer_threshold: float  # probability the top sentence answers, below which the corpus has no answer
    extra_threshold: float  # ranker probability a further answer (2nd, 3rd) needs
    # Probability from which the first quote is likely right (the cautious mode's threshold): an answer below it
    # is given with a note to check the source.
    sure_threshold: float = 1.01

    @classmethod
    def from_values(cls, values: dict[str, Any], mode: str = "balanced") -> "Ranking":
        """Raises fitted.MissingFit when `values` has no threshold for `mode` (one of ANSWER_MODES)."""
        thresholds = values.get("answer_thresholds", {})
        if mode not in thresholds:
            raise fitted.MissingFit(f"no fitted answer threshold for answer mode {mode!r}; "
                                    "run `python -m retrieval.fit_ranking`")
        if "scorer" not in values:
            raise fitted.MissingFit("the fitted ranking has no answerability scorer; "
                                    "run `python -m retrieval.fit_ranking`")
        return cls(LogisticModel.from_values(values["ranker"], CANDIDATE_FEATURES),
                   LogisticModel.from_values(values["scorer"], CANDIDATE_FEATURES),
                   LogisticModel.from_values(values["abstainer"], QUESTION_FEATURES),
                   float(thresholds[mode]), float(values["extra_threshold"]),
                   float(thresholds.get("cautious", 1.01)))


@lru_cache(maxsize=16)
def load_ranking(mode: str = "balanced", model: str = DEFAULT_MODEL) -> Ranking:
    """The ranking fitted for the embedding model `model` (fitted.load_for_model) with the answer threshold of
    `mode` (ANSWER_MODES). Raises fitted.MissingFit when it was never fitted or the features changed."""
    return Ranking.from_values(fitted.load_for_model(SECTION, model), mode)
