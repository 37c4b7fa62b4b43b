"""A question's terms as the corpus spells them: "cybercrime" asked of a corpus that writes "cyber crime", or the
other way round.

Each term is a set of stemmed tokens any one of which supports it in a sentence. A word the corpus never uses
is split into two words it does use ("cybercrime" -> "cyber" + "crime"); two neighbouring words the corpus also
writes as one ("cyber crime" -> "cybercrime") accept that spelling too. Accents are already folded by the
tokenizer, so "Lemery" and "Lémery" are one token.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from retrieval.lexical import stem, words

MIN_PART = 3  # shorter "parts" are mostly accidents ("informat" + "ion")


@dataclass(frozen=True)
class QueryTerms:
    terms: tuple[frozenset[str], ...]  # one per question word: the tokens that support it
    search: tuple[str, ...]  # tokens for BM25: every spelling, each once per word
    words: tuple[str, ...] = ()  # per term, the folded word it stands for (for its weight in general English)

    def main_tokens(self) -> list[str]:
        return sorted({t for alts in self.terms for t in alts})


def _split(word: str, knows: Callable[[str], bool]) -> list[str] | None:
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        left, right = stem([word[:i], word[i:]])
        if knows(left) and knows(right):
            return [left, right]
    return None


def query_terms(text: str, knows: Callable[[str], bool]) -> QueryTerms:
    """The question's terms given the corpus vocabulary (`knows(token)`)."""
    raw = words(text)
    stems = stem(raw)
    terms: list[set[str]] = []
    search: list[str] = []
    term_words: list[str] = []
    for word, token in zip(raw, stems):
        if not knows(token):
            parts = _split(word, knows)
            if parts:
                terms.extend({p} for p in parts)
                search.extend(parts)
                term_words.extend([word] * len(parts))
                continue
        terms.append({token})
        search.append(token)
        term_words.append(word)
    # Neighbouring words written as one word elsewhere in the corpus.
    for i in range(len(raw) - 1):
        (joined,) = stem([raw[i] + raw[i + 1]])
        if knows(joined) and joined not in (stems[i], stems[i + 1]):
            for t in terms:
                if stems[i] in t or stems[i + 1] in t:
                    t.add(joined)
            search.append(joined)
    return QueryTerms(tuple(frozenset(t) for t in terms), tuple(search), tuple(term_words))
