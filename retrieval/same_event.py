"""Do two dated sentences of one date report the same happening? A logistic model over a few pair features.

Outlets word the same fact differently ("prosecutors raided X's offices on Tuesday", "the search on Tuesday was
carried out by the cybercrime unit"), so near-identical wording is too strict a test, and a cosine alone cannot
tell the raid from the summons announced the same day. Each pair of sentences on one date gets:

- ``cos``: cosine of the sentence embeddings;
- ``names``: overlap of the actors and figures named (capitalised words other than the first, acronyms, amounts),
  as the overlap coefficient |A∩B| / min(|A|, |B|) (Szymkiewicz-Simpson), so a short sentence naming two of a long
  one's five actors still counts as naming the same ones;
- ``acts``: the same overlap over the remaining content words (stemmed), i.e. what was done.

p(same) = 1 / (1 + exp(-(b + w · features))), with b and w fitted by ``python -m retrieval.fit_timeline`` on the
tune cases of the development set (section "timeline" of retrieval/fitted.json); two sentences are one event when
p reaches the bar fitted for the date's granularity ("day", or "coarse" for a month or a year, which holds many
distinct happenings), chosen for precision (F0.5). Everything is computed a block of pairs at a time with sparse products, so a whole-case timeline stays
fast at 100,000 sentences.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse

from retrieval.lexical import tokenize

FEATURES = ("cos", "names", "acts")

_CALENDAR = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}
# Words that open a sentence or a quotation capitalised without naming anyone, and honorifics.
_NOT_NAMES = _CALENDAR | {"mr", "mrs", "ms", "dr", "sir", "the", "a", "an", "it", "he", "she", "they", "we", "i",
                          "in", "on", "at", "but", "and", "this", "that", "its", "their", "his", "her"}
_CALENDAR_STEMS = set(tokenize(" ".join(_CALENDAR | {"year", "month", "week", "day", "today", "yesterday",
                                                       "tomorrow", "last", "next", "earlier", "later"})))
_NAME_RE = re.compile(r"(?<=[\s(“\"‘'])(?:[A-Z][\w&-]*[A-Za-z]|[A-Z]{2,}|[B-HJ-Z](?![\w’'-]))")
_AMOUNT_RE = re.compile(
    r"(?:[€£$]\s?\d[\d.,]*|\b\d[\d.,]*)\s?(?P<unit>billion|million|bn|m|%|per\s?cent)?(?:(?<=\w)\b|(?<=%))")
_UNITS = {"billion": "bn", "million": "m", "per cent": "%", "percent": "%"}


def _amount(m: re.Match) -> str | None:
    """"€120 million" and "€120m" alike; a bare small number (a day of the month, a count) is not a figure."""
    num = re.sub(r"[\s,]", "", m.group().split()[0] if m["unit"] and " " in m.group() else m.group())
    unit = m["unit"] or ""
    num = num[: len(num) - len(unit)] if unit and num.endswith(unit.replace(" ", "")) else num
    if not unit and not num[:1] in "€£$":
        return None
    return num + _UNITS.get(" ".join(unit.lower().split()), unit.lower())


def sentence_terms(text: str, tokens: tuple[str, ...] | list[str]) -> tuple[set[str], set[str]]:
    """(names, acts) of a sentence: the actors and figures it names, and its other content words (stems), both
    without calendar words, which every sentence of a date shares."""
    names = {m.group().lower() for m in _NAME_RE.finditer(" " + text[text.find(" ") + 1:])
             if m.group().lower() not in _NOT_NAMES}
    names |= {a for a in map(_amount, _AMOUNT_RE.finditer(text)) if a}
    name_stems = {s for n in names for s in _stems(n)}
    acts = {t for t in tokens if t not in name_stems and t not in _CALENDAR_STEMS and not t.isdigit()}
    return names, acts


@lru_cache(maxsize=65536)
def _stems(name: str) -> tuple[str, ...]:
    return tuple(tokenize(name))  # names recur across a case's sentences: stem each once


@dataclass(frozen=True)
class PairContext:
    """Per-sentence data the pair features need, row-aligned: unit vectors (n, dim) float32, binary incidence
    matrices of names and acts (n, vocabulary) CSR, and their row sizes."""

    vecs: np.ndarray
    names: sparse.csr_matrix
    acts: sparse.csr_matrix
    n_names: np.ndarray
    n_acts: np.ndarray

    @classmethod
    def build(cls, vecs: np.ndarray, terms: list[tuple[set[str], set[str]]]) -> "PairContext":
        names, n_names = _incidence([t[0] for t in terms])
        acts, n_acts = _incidence([t[1] for t in terms])
        return cls(vecs, names, acts, n_names, n_acts)


def _incidence(sets: list[set[str]]) -> tuple[sparse.csr_matrix, np.ndarray]:
    vocab: dict[str, int] = {}
    indptr, indices = [0], []
    for s in sets:
        indices.extend(vocab.setdefault(t, len(vocab)) for t in s)
        indptr.append(len(indices))
    m = sparse.csr_matrix((np.ones(len(indices), np.float64), indices, indptr), shape=(len(sets), max(len(vocab), 1)))
    return m, np.diff(np.asarray(indptr)).astype(np.float64)


def _overlap(m: sparse.csr_matrix, sizes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    inter = (m[a] @ m[b].T).toarray()
    smaller = np.minimum.outer(sizes[a], sizes[b])
    return np.divide(inter, smaller, out=np.zeros_like(inter), where=smaller > 0)


def pair_features(ctx: PairContext, a: np.ndarray, b: np.ndarray, *, exact: bool = False) -> np.ndarray:
    """Features of every pair (rows a × rows b), shape (len(a), len(b), len(FEATURES)). The cosine is a float32
    product unless ``exact`` (float64: the definition, used where float32 rounding could cross the bar)."""
    if exact:
        cos = ctx.vecs[a].astype(np.float64) @ ctx.vecs[b].astype(np.float64).T
    else:
        cos = (ctx.vecs[a] @ ctx.vecs[b].T).astype(np.float64)
    names = _overlap(ctx.names, ctx.n_names, a, b)
    acts = _overlap(ctx.acts, ctx.n_acts, a, b)
    return np.stack([cos, names, acts], axis=-1)


def granularity(value: str) -> str:
    """"day" for YYYY-MM-DD, "coarse" for YYYY-MM and YYYY: the key of the fitted bar."""
    return "day" if len(value) == 10 else "coarse"


def same_probability(features: np.ndarray, weights: dict[str, float]) -> np.ndarray:
    """p(same happening) for features (..., len(FEATURES)): the fitted logistic model."""
    w = np.array([weights[f] for f in FEATURES])
    return 1.0 / (1.0 + np.exp(-(weights["bias"] + features @ w)))


# float32 rounding moves a unit-vector cosine by at most ~2e-5 at 384 dimensions, and p by less than half that (its
# slope in the cosine is at most w_cos / 4); anything this close to the bar is decided by the exact cosine.
_SLACK = 2e-5


def same_event(ctx: PairContext, a: np.ndarray, b: np.ndarray, weights: dict[str, float], bar: float) -> np.ndarray:
    """Boolean (len(a), len(b)): does each pair report the same happening (p >= bar)? The same answer as computing
    each pair alone with ``exact=True``."""
    features = pair_features(ctx, a, b)
    p = same_probability(features, weights)
    for i, j in zip(*np.nonzero(np.abs(p - bar) < _SLACK)):
        # Only the cosine is inexact: the overlaps are ratios of whole counts, the same however computed.
        features[i, j, 0] = float(ctx.vecs[a[i]].astype(np.float64) @ ctx.vecs[b[j]].astype(np.float64))
        p[i, j] = same_probability(features[i, j], weights)
    return p >= bar
