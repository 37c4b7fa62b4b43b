"""The fast paths cut and merge exactly as the plain definitions do: sentences where syntok's `analyze` cuts them,
timeline events as a one-by-one comparison of each dated sentence with the events before it would make them."""
from types import SimpleNamespace

import numpy as np
import syntok.segmenter
import pytest

import unicodedata

from retrieval.answering import _citation_order, _dedupe_key
from retrieval.lexical import fold
from retrieval.config import DEFAULT_MODEL
from retrieval.same_event import PairContext, granularity, pair_features, same_probability, sentence_terms
from retrieval.sentences import sentence_spans, split_sentences
from retrieval.store import DateRow, DocumentRow, SentenceRow
from retrieval import timeline

TRICKY = [
    "Mr. Smith met Dr. Jones at 5 p.m. on Jan. 5. They spoke for an hour.",
    "“We will appeal,” said J. R. Ewing, a lawyer for the U.S. unit. “This is not over.”",
    "Shares fell 3.5% to $12.40 on Monday! Why? Analysts blamed the Sept. 4 filing.",
    "He said: \"No.\" Then he left the court (at 4 p.m.) without comment.",
    "The firm — based in St. Louis, Mo. — denied it. Officials in Washington, D.C., declined to comment.",
    "Zürich’s regulator fined Société Générale €2.5m… Its chief, Ángel Núñez, resigned.",
    "Prices rose.\t. . . Then they fell. Analysts shrugged.",
    "No full stop at the end",
]


FOLDS = TRICKY + [
    "Éric Lémery, député, a été entendu à Besançon.", "ÀÉÎÕÜ àéîõü Ñ ç Ø ß Æ œ", "Straße in Köln; naïve café",
    "Ångström ﬁnds ﬂows ½ ² ℃ ﬀ", "Ελληνικά: Αθήνα, Ἀθῆναι", "Москва, Йошкар-Ола", "北京 東京 서울",
    "e\u0301 a\u0308 o\u0328\u0301 plain", "emoji 👍🏽 and ZWJ 👩‍💻", "‘quotes’ “double” — dash … ellipsis",
    "", "ASCII only, 123 & co.", "İstanbul ǅ ǈ Ⅻ", "\u00a0no-break\u2009thin space", "Dvořák Łódź Şişli Đoković",
]


@pytest.mark.parametrize("text", FOLDS)
def test_fold_is_nfkd_without_combining_marks(text):
    """The definition: lower case, ’ as ', NFKD, every combining mark dropped (the fast path skips ASCII)."""
    plain = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    assert fold(text) == "".join(ch for ch in plain if not unicodedata.combining(ch))


def _syntok_pieces(paragraph: str) -> list[str]:
    """syntok's documented API: each sentence from its first token to the end of its last."""
    out = []
    for para in syntok.segmenter.analyze(paragraph):
        for sent in para:
            out.append(paragraph[sent[0].offset:sent[-1].offset + len(sent[-1].value)])
    return out


@pytest.mark.parametrize("paragraph", TRICKY)
def test_sentences_are_syntok_pieces_as_exact_slices(paragraph):
    # TRICKY has no semicolon and no quoted question before an attribution, the two joins sentences.py adds.
    pieces = _syntok_pieces(paragraph)
    assert split_sentences(paragraph) == pieces
    assert [paragraph[a:b] for a, b in sentence_spans(paragraph)] == pieces


def test_ellipsis_with_a_no_break_space_is_quoted_as_written():
    # pysbd, the splitter before syntok, returned this with a plain space and lost the sentence from its output.
    paragraph = "Shares fell . . .\u00a0then rose. Traders cheered."
    assert split_sentences(paragraph) == ["Shares fell . . .\u00a0then rose.", "Traders cheered."]


# -- timeline ------------------------------------------------------------------------------------------------

def _reference_events(dated, vecs, documents):
    """The definition: each sentence joins the first earlier event of its date with the same dedupe key or that the
    fitted same-event model accepts against the event's first sentence (one pair at a time), citing each article
    once; else it starts an event. The quoted sentence is the event's clearest (timeline._clearest)."""
    weights, bars = timeline._same_event_model()
    ctx = PairContext.build(vecs, [sentence_terms(row.text, row.tokens) for row, _ in dated])

    def same(i, j):
        p = same_probability(pair_features(ctx, np.array([i]), np.array([j]), exact=True), weights)[0, 0]
        return p >= bars[granularity(dated[i][1].value)]

    events, by_date = [], {}
    # Within a date, the earliest publication first (a stable sort: document order otherwise).
    for k in sorted(range(len(dated)), key=lambda k: documents[dated[k][0].doc_id].published or "9999"):
        row, d = dated[k]
        found = next((e for e in by_date.get((d.value, d.until), [])
                      if e["key"] == _dedupe_key(row.text) or same(e["rows"][0], k)), None)
        if found is None:
            events.append({"d": d, "key": _dedupe_key(row.text), "rows": [k]})
            by_date.setdefault((d.value, d.until), []).append(events[-1])
        else:
            found["rows"].append(k)
    per_sentence = {}
    for row, _ in dated:
        per_sentence[row.id] = per_sentence.get(row.id, 0) + 1
    out = []
    for e in events:
        chosen = timeline._clearest(e["rows"], dated, per_sentence,
                                    lambda r: _citation_order(documents[r.doc_id].citation(r.paragraph)))
        row = dated[chosen][0]
        cites, cited = [], {row.doc_id}
        for k in e["rows"]:
            other = dated[k][0]
            if other.doc_id not in cited:
                cited.add(other.doc_id)
                cites.append(documents[other.doc_id].citation(other.paragraph))
        cite = documents[row.doc_id].citation(row.paragraph)
        out.append((e["d"].value, row.text, cite, tuple(sorted(cites, key=_citation_order))))
    return sorted(out, key=lambda ev: (ev[0], ev[2].published or "", ev[2].doc_id, ev[2].paragraph))


def _fake_index(dated, vecs, documents, monkeypatch):
    monkeypatch.setattr(timeline, "vectors_of", lambda _, ids: vecs[np.asarray(ids)])
    store = SimpleNamespace(dated_sentences=lambda: list(dated), documents=documents)
    # The timeline reads the fit of the index's embedding model from its manifest.
    return SimpleNamespace(store=store, vectors=None, manifest=SimpleNamespace(model=DEFAULT_MODEL))


def _unit(v):
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


def _docs(n):
    return {f"d{k}": DocumentRow(f"d{k}", f"Title {k}", f"Outlet {k % 4}", None,
                                 None if k % 5 == 0 else f"2026-02-{k % 28 + 1:02d}", None, f"d{k}.md", "x")
            for k in range(n)}


def test_first_matching_event_wins(monkeypatch):
    """A sentence like two earlier events joins the one started first, whether it matches that one by its text
    and the later one by its meaning or the other way round."""
    a, b = _unit(np.array([1.0, 0.0, 0.0])), _unit(np.array([0.0, 1.0, 0.0]))
    near_a, near_b = _unit(np.array([1.0, 0.1, 0.0])), _unit(np.array([0.1, 1.0, 0.0]))  # cosine 0.995
    day = DateRow("2026-02-03", None, "on Tuesday", 0, 5)
    sentences = [("Police raided the offices.", a), ("The company denied it.", b),
                 ("The company denied it!", near_a),  # text of the second event, meaning of the first
                 ("POLICE raided the offices", near_b)]  # text of the first, meaning of the second
    dated = [(SentenceRow(i, f"d{i}", 1, 0, 0, 1, t, ()), day) for i, (t, _) in enumerate(sentences)]
    vecs = np.stack([v for _, v in sentences])
    docs = {d: DocumentRow(d, d, "Outlet", None, "2026-02-03", None, d, "x") for d in ("d0", "d1", "d2", "d3")}
    events = timeline.build_timeline(_fake_index(dated, vecs, docs, monkeypatch))
    assert [(e.text, e.citation.doc_id, [c.doc_id for c in e.also]) for e in events] == [
        ("Police raided the offices.", "d0", ["d2", "d3"]),
        ("The company denied it.", "d1", []),
    ]


def test_timeline_matches_one_by_one_definition(monkeypatch):
    """Many sentences on few dates (more than one comparison block each), cosines crowding the bar, repeated
    texts and articles: the same events, order, citations and `also` as comparing one by one."""
    rng = np.random.default_rng(7)
    n, dim = 1500, 32
    topics = _unit(rng.standard_normal((30, dim)))
    spread = rng.choice([0.0, 0.45, 0.48, 0.5, 0.52, 1.5, 2.5], size=(n, 1))  # cosines on both sides of the bar
    vecs = _unit(topics[rng.integers(30, size=n)] + spread * _unit(rng.standard_normal((n, dim))))
    docs = _docs(50)
    days = [DateRow(v, None, v, 0, 1) for v in ("2026", "2026-02", "2026-02-03", "2026-02-04")]
    pool = ["Police raided the offices.", "POLICE raided the offices!", "The company denied it.", "Musk was summoned."]
    dated = [(SentenceRow(i, f"d{rng.integers(50)}", int(rng.integers(1, 4)), 0, 0, 1,
                          pool[rng.integers(len(pool))] if rng.random() < 0.3 else f"Sentence {i}.", ()),
              days[rng.integers(len(days))]) for i in range(n)]
    events = timeline.build_timeline(_fake_index(dated, vecs, docs, monkeypatch))
    assert [(e.date, e.text, e.citation, e.also) for e in events] == _reference_events(dated, vecs, docs)
    assert any(e.also for e in events) and len(events) < n
