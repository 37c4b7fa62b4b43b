"""Page furniture inside an article body (breadcrumbs, captions, timestamps, bylines, publication lines, share
widgets, a repeated headline, "Read more" lines, section headings), decided per paragraph by a fitted classifier.

A logistic regression over shape features and words (see furniture_features), fitted by
`python -m retrieval.ingest.fit_furniture` on the labelled lines in `data/furniture.tsv` and the article
paragraphs of the project's corpora; its weights and decision threshold are section "furniture" of
retrieval/fitted.json. The threshold is set from cross-validation for precision: dropping an article paragraph
loses answers, keeping a furniture line only costs a filter downstream. A paragraph is kept or dropped whole.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from retrieval import fitted
from retrieval.ingest.furniture_features import DENSE_NAMES, dense_features, word_features

SECTION = "furniture"


@dataclass(frozen=True)
class FurnitureModel:
    intercept: float
    dense_mean: tuple[float, ...]
    dense_scale: tuple[float, ...]
    dense_weights: tuple[float, ...]
    word_weights: dict[str, float]
    stopwords: frozenset[str]
    threshold: float  # drop when P(furniture) >= threshold

    def probability(self, paragraph: str, title: str) -> float:
        """P(furniture) of one paragraph of an article titled `title`, in [0, 1]."""
        z = self.intercept
        for x, m, s, w in zip(dense_features(paragraph, title, self.stopwords), self.dense_mean,
                              self.dense_scale, self.dense_weights):
            z += w * (x - m) / s
        z += sum(self.word_weights.get(t, 0.0) for t in word_features(paragraph))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


@lru_cache(maxsize=1)
def model() -> FurnitureModel:
    """The fitted model. Raises fitted.MissingFit when section "furniture" is absent."""
    v = fitted.load(SECTION)
    if tuple(v["dense_names"]) != DENSE_NAMES:
        raise fitted.MissingFit("the furniture model was fitted on other features; "
                                "run python -m retrieval.ingest.fit_furniture")
    return FurnitureModel(
        intercept=float(v["intercept"]), dense_mean=tuple(v["dense_mean"]), dense_scale=tuple(v["dense_scale"]),
        dense_weights=tuple(v["dense_weights"]), word_weights=dict(v["word_weights"]),
        stopwords=frozenset(v["stopwords"]), threshold=float(v["threshold"]),
    )


def is_furniture(paragraph: str, title: str) -> bool:
    m = model()
    return m.probability(paragraph, title) >= m.threshold


def drop_furniture(paragraphs: list[str], title: str) -> list[str]:
    """The paragraphs that are article text, in order."""
    return [p for p in paragraphs if not is_furniture(p, title)]
