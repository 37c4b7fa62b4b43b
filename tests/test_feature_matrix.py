"""The ask path computes a question's candidate features for all candidates at once (`candidate_feature_matrix`:
term-membership matrices, each article once) and the gaps of all checked articles at once (`support_gaps`).
Both must give the plain per-candidate definitions' values (`candidate_features`, `support_gap`): over many dev
questions of every kind, about the present or not, with and without names, on a whole dev index; and on small
inputs built to hit the corners (a token shared by two terms, weights of zero, no terms, no entities). The
ranking sorts candidate indices before making each a `Scored`: the same list as sorting the `Scored`s."""
import shutil

import numpy as np
import pytest

from retrieval.answering import (Scored, _passage, article_word_ids, gather, named_date_values, question_dates,
                                 rank_by, sentence_word_ids)
from retrieval.context import with_context
from retrieval.engine import CaseEngine
from retrieval.features import (CANDIDATE_FEATURES, QuestionContext, candidate_feature_matrix, candidate_features,
                                recency_ranks, soft_share, support_gap, support_gaps, term_hits, weighted_shares,
                                _share)
from retrieval.question import Question, QuestionType, parse_question
from retrieval.ranker import probability
from retrieval.store import DocumentRow, SentenceRow

from .conftest import EVAL, dev_questions, make_settings

DEV = EVAL / "dev"
# The soft share is a dot product in both; only the order of its few additions may differ (≤ a few ulp).
SOFT_TOL = 1e-12


@pytest.fixture(scope="module")
def dev_engine(tmp_path_factory, embedder):
    """The whole dev corpus: 20 articles on four cases."""
    corpus = tmp_path_factory.mktemp("corpus")
    for path in sorted((DEV / "corpus").iterdir()):
        shutil.copy(path, corpus / path.name)
    engine = CaseEngine(make_settings(corpus, tmp_path_factory.mktemp("index")), embedder=embedder)
    engine.reindex()
    return engine


def _plain(index, soft, g):
    """Every candidate's features and gap by the per-candidate definitions, from what `gather` read (the same
    candidates, articles, dates and soft support)."""
    ctx, rows = g.context, g.rows
    store = index.store
    dates = question_dates(store, ctx.question, rows)
    values = named_date_values(store, ctx.question, rows)
    doc_terms = store.document_terms({r.doc_id for r in rows})
    recency = recency_ranks({r.doc_id: store.documents[r.doc_id].published for r in rows})
    support = soft.support_groups(ctx.words, sentence_word_ids(soft, [r.text for r in rows]))
    feats = np.asarray([candidate_features(ctx, r, c.dense, c.bm25, store.documents[r.doc_id], doc_terms[r.doc_id],
                                           dates.get(r.id, []), recency[r.doc_id], soft_share(ctx, support[i]),
                                           values.get(r.id, []))
                        for i, (c, r) in enumerate(zip(g.candidates, rows))], float)
    return feats.reshape(len(rows), len(CANDIDATE_FEATURES))


def test_feature_matrix_equals_the_per_candidate_definition_on_dev_questions(dev_engine):
    index, soft = dev_engine.index, dev_engine.soft
    soft_col = CANDIDATE_FEATURES.index("soft")
    others = [j for j in range(len(CANDIDATE_FEATURES)) if j != soft_col]
    kinds, now, named, candidates = set(), 0, 0, 0
    nonzero = np.zeros(len(CANDIDATE_FEATURES), dtype=bool)
    for text in dev_questions(3):
        question = parse_question(text)
        g = gather(index, question, dev_engine.embedder.encode_query(question.text), soft)
        plain = _plain(index, soft, g)
        assert g.features.shape == plain.shape
        np.testing.assert_array_equal(g.features[:, others], plain[:, others], err_msg=text)
        np.testing.assert_allclose(g.features[:, soft_col], plain[:, soft_col], rtol=0, atol=SOFT_TOL, err_msg=text)
        kinds.add(question.kind)
        now += question.about_now
        named += bool(g.context.entities)
        candidates += len(g.rows)
        nonzero |= (plain != 0).any(axis=0)
    # The questions reach every typed kind, the present, names, and every feature takes values other than 0.
    assert {QuestionType.WHEN, QuestionType.WHO, QuestionType.WHY, QuestionType.HOW_MANY,
            QuestionType.HOW_MUCH} <= kinds
    assert now >= 2 and named >= 10 and candidates >= 40 * 50
    assert nonzero.all(), [f for f, nz in zip(CANDIDATE_FEATURES, nonzero) if not nz]


def test_article_gaps_at_once_equal_one_at_a_time(dev_engine):
    index, soft = dev_engine.index, dev_engine.soft
    docs = sorted(index.store.documents)
    seen = set()
    for text in dev_questions(3)[::4]:
        ctx = gather(index, parse_question(text), dev_engine.embedder.encode_query(text), soft).context
        support = soft.support_groups(ctx.words, article_word_ids(index, soft, docs))
        at_once = support_gaps(ctx, support)
        assert at_once.tolist() == [support_gap(ctx, row) for row in support]
        seen |= set(np.round(at_once, 6).tolist())
    assert len(seen) >= 5  # the articles do not all support a question alike


def _ctx(kind, terms, weights, entities=(), entity_weights=(), about_now=False, flat=(), dates=(), counted=(),
         head=None):
    question = Question(raw="q?", text="q?", kind=kind, about_now=about_now, dates=tuple(dates),
                        counted=tuple(counted), head=head)
    return QuestionContext(question, [frozenset(t) for t in terms], [t[0] for t in terms], list(weights),
                           [frozenset(t) for t in entities], list(entity_weights), 7.5, list(flat))


ROWS = [
    SentenceRow(0, "a", 1, 0, 0, 40, "Brightline was fined €15 million on Friday.", ("brightlin", "fine", "friday")),
    SentenceRow(1, "a", 2, 0, 0, 30, "The cyber-crime unit said so.", ("cyber", "crime", "cybercrim", "unit")),
    SentenceRow(2, "b", 1, 0, 0, 25, "Northwind paid 80 euros.", ("northwind", "paid", "80", "euro")),
    SentenceRow(3, "c", 1, 0, 0, 0, "", ()),
    SentenceRow(4, "b", 2, 0, 0, 31, "The raid lasted three hours.", ("raid", "last", "three", "hour")),
]
DOCS = {d: DocumentRow(d, title, "Outlet", None, pub, None, f"{d}.md", "f") for d, title, pub in
        [("a", "Brightline fined", "2026-03-01"), ("b", "Regulator acts", None), ("c", "", "2026-01-01")]}
DOC_TERMS = {"a": (frozenset({"brightlin", "fine"}), frozenset({"brightlin", "fine", "cyber", "unit", "friday"})),
             "b": (frozenset(), frozenset({"northwind", "paid", "80", "euro"})),
             "c": (frozenset(), frozenset())}
CONTEXTS = [
    # a token ("fine") that supports two terms; a term of zero weight; an entity of the question
    _ctx(QuestionType.HOW_MUCH, [("fine", "fined"), ("brightlin",), ("fine", "penalti"), ("the",)],
         [3.1, 6.2, 0.0, 4.4], entities=[("brightlin",)], entity_weights=[6.2], flat=["fine", "brightlin"]),
    _ctx(QuestionType.WHO, [("cybercrim", "cyber"), ("unit",)], [5.0, 3.0], entities=[("northwind",), ("unit",)],
         entity_weights=[7.0, 3.0], about_now=True, flat=["cybercrim", "unit"]),
    _ctx(QuestionType.OTHER, [], []),  # no terms
    _ctx(QuestionType.WHEN, [("regul",)], [0.0], about_now=True, flat=["regul"]),  # weights summing to 0
    # a question naming a date: one sentence's date falls in it, one's does not, the others have none
    _ctx(QuestionType.HOW_MUCH, [("fine",)], [3.1], flat=["fine"], dates=[("2026-02", None)]),
    # "how many" counting people: "three hours" counts other things; counting times, it is a slot
    _ctx(QuestionType.HOW_MANY, [("raid",)], [2.0], flat=["raid"], counted=["person"]),
    _ctx(QuestionType.HOW_MANY, [("raid",)], [2.0], flat=["raid"], counted=["time"]),
    # "which official": the unit is no person, a name of unknown class may be one
    _ctx(QuestionType.WHO, [("unit",)], [3.0], flat=["unit"], head="person"),
    # "how long did the raid last?": "three hours" is a duration beside "raid"
    _ctx(QuestionType.HOW_LONG, [("raid",)], [2.0], flat=["raid"]),
]
DATE_VALUES = {0: [("2026-02-27", None)], 2: [("2025-11", None), ("2024", None)]}


@pytest.mark.parametrize("ctx", CONTEXTS)
def test_feature_matrix_equals_the_definition_on_corner_cases(ctx):
    rng = np.random.default_rng(len(ctx.terms))
    support = rng.random((len(ROWS), len(ctx.words)))
    dense, bm25 = rng.random(len(ROWS)), rng.random(len(ROWS)) * 9
    dates = {0: [(30, 39)]}
    recency = recency_ranks({d: doc.published for d, doc in DOCS.items()})
    got = candidate_feature_matrix(ctx, ROWS, dense, bm25, DOCS, DOC_TERMS, dates, recency, support, DATE_VALUES)
    want = [candidate_features(ctx, r, float(dense[i]), float(bm25[i]), DOCS[r.doc_id], DOC_TERMS[r.doc_id],
                               dates.get(r.id, []), recency[r.doc_id], soft_share(ctx, support[i]),
                               DATE_VALUES.get(r.id, []))
            for i, r in enumerate(ROWS)]
    np.testing.assert_allclose(got, np.asarray(want), rtol=0, atol=SOFT_TOL)
    assert candidate_feature_matrix(ctx, [], np.zeros(0), np.zeros(0), DOCS, DOC_TERMS, {}, {},
                                    np.zeros((0, len(ctx.words)))).shape == (0, len(CANDIDATE_FEATURES))


def test_term_hits_and_shares_equal_the_plain_share():
    terms = [frozenset({"fine", "fined"}), frozenset({"brightlin"}), frozenset({"fine", "penalti"}), frozenset()]
    holders = [("fine",), {"brightlin", "x"}, frozenset(), ("penalti", "brightlin", "penalti"), ("y",)]
    hits = term_hits(terms, holders)
    assert hits.tolist() == [[True, False, True, False], [False, True, False, False], [False] * 4,
                             [False, True, True, False], [False] * 4]
    for weights in ([0.1, 0.2, 0.3, 0.4], [0.0, 0.0, 0.0, 0.0], [1e-3, 7.0, 1e9, 2.5]):
        assert weighted_shares(hits, weights).tolist() == [_share(terms, weights, set(h)) for h in holders]
    assert term_hits([], holders).shape == (5, 0) and weighted_shares(np.zeros((2, 0), bool), []).tolist() == [0, 0]
    # The same holders as stored token text (sorted, space-separated, a space at either end), and one empty.
    as_text = [f" {' '.join(sorted(set(h)))} " for h in holders] + ["  "]
    assert term_hits(terms, as_text).tolist() == hits.tolist() + [[False] * 4]
    assert term_hits([frozenset({"fine", ""})], ["  ", " fine ", " fines "]).tolist() == [[False], [True], [False]]


def test_stored_term_text_holds_the_stored_term_sets(dev_engine):
    store = dev_engine.index.store
    docs = sorted(store.documents)
    sets, text = store.document_terms(docs), store.document_term_text(docs + ["no such article"])
    assert list(text) == docs
    for d in docs:
        for as_set, as_text in zip(sets[d], text[d]):
            assert as_text.startswith(" ") and as_text.endswith(" ")
            assert frozenset(as_text.split()) == as_set
            assert term_hits([frozenset({t}) for t in sorted(as_set)] + [frozenset({"zzz-none"})],
                             [as_text]).tolist() == [[True] * len(as_set) + [False]]


def _plain_rank_by(gathered, model):
    """rank_by as first written: every candidate a Scored, then sorted."""
    logits = model.logits(gathered.features)
    probs = probability(logits)
    scored = [Scored(c, r, tuple(f), float(lg), float(p))
              for c, r, f, lg, p in zip(gathered.candidates, gathered.rows, gathered.features.tolist(), logits, probs)]
    scored.sort(key=lambda s: (-s.logit, s.row.doc_id, s.row.paragraph, s.row.position))
    return scored


def test_ranking_equals_sorting_every_scored_candidate(dev_engine):
    ranking = dev_engine.ranking
    copies = 0
    for text in dev_questions(3):
        question = parse_question(text)
        g = gather(dev_engine.index, question, dev_engine.embedder.encode_query(question.text), dev_engine.soft)
        assert g.rows
        for model in (ranking.ranker, ranking.scorer):
            ranked = rank_by(g, model)
            assert ranked == _plain_rank_by(g, model)
        copies += len({s.row.text for s in ranked[:2]}) == 1  # a syndicated copy right behind the best one
    assert copies >= 1  # ties of logit broken by place in the corpus, as the plain sort does


def _plain_passage(index, row):
    """_passage as first written: the paragraph and the sentence before read for every sentence but a first."""
    if row.position == 0:
        return row.text, [row.id]
    siblings = index.store.paragraph_sentences(row.doc_id, row.paragraph)
    previous = next((s for s in siblings if s.position == row.position - 1), None)
    paragraph = index.store.paragraphs([(row.doc_id, row.paragraph)]).get((row.doc_id, row.paragraph))
    return with_context(row, previous, paragraph)


def test_passage_of_every_dev_sentence_equals_the_definition(dev_engine):
    index = dev_engine.index
    ids = [i for (i,) in index.store._db.execute("SELECT id FROM sentences")]
    rows = index.store.sentences(ids)
    passages = [(_passage(index, row), _plain_passage(index, row)) for row in rows.values()]
    assert all(fast == plain for fast, plain in passages)
    assert len(passages) >= 250 and sum(len(ids) == 2 for (_, ids), _ in passages) >= 5  # some lean back


CASE_SENTENCES = [
    "POLICE said the Court of Appeal and the ministry met, Because of the raid.", "Due To the strike, it Led To delays.",
    "The Company's AUTHORITIES blamed officials; in order to act, judges ruled.", "policeman courtyard unitary reasonable",
    "Kelvin: the \u212aelvin sign and the long \u017fince \u201cbecause\u201d the po\u017fition.", "",
]


def test_case_blind_slots_equal_the_case_insensitive_patterns(dev_engine):
    from retrieval.answer_signals import _CAUSE, _CAUSE_LOWER, _ORG, _ORG_LOWER, _spans_any_case

    texts = [t for (t,) in dev_engine.index.store._db.execute("SELECT text FROM sentences")] + CASE_SENTENCES
    found = 0
    for text in texts:
        for variant in (text, text.upper(), text.swapcase(), text.title(), text.encode("ascii", "ignore").decode()):
            for pattern, lower in ((_ORG, _ORG_LOWER), (_CAUSE, _CAUSE_LOWER)):
                want = [m.span() for m in pattern.finditer(variant)]
                assert _spans_any_case(pattern, lower, variant) == want, variant
                found += len(want)
    assert found >= 500 and sum(t.isascii() for t in texts) >= 50 and sum(not t.isascii() for t in texts) >= 20


@pytest.mark.parametrize("size", [1, 7, 300, 5000, 100_000])
def test_distinct_vocabulary_ids_equal_numpy_unique(size):
    from retrieval.soft_terms import _distinct_ids

    rng = np.random.default_rng(size)
    for n in (1, 2, 50, 2000):
        ids = rng.integers(0, size, n).astype(np.int64)
        distinct, place = _distinct_ids(ids, size)
        want_distinct, want_place = np.unique(ids, return_inverse=True)
        np.testing.assert_array_equal(distinct, want_distinct)
        np.testing.assert_array_equal(place, want_place)
        np.testing.assert_array_equal(distinct[place], ids)



def test_a_name_or_number_is_supported_only_by_an_article_that_writes_it():
    """The abstention's gap reads no soft support for the question's names and numbers: "Copa" is not half-held by
    "Alaska", "2019" not by "2018"; a spelling variant still holds (terms fold accents), and an acronym keeps its
    soft support, since the article may spell it out ("DPP", "Director of Public Prosecutions")."""
    from retrieval.answering import entity_support
    question = Question(raw="q?", text="Did Copa, Lémery or the DPP act in 2019?", kind=QuestionType.OTHER)
    terms = [frozenset({"copa"}), frozenset({"lemeri"}), frozenset({"dpp"}), frozenset({"2019"}),
             frozenset({"act"})]
    ctx = QuestionContext(question, terms, ["copa", "lemery", "dpp", "2019", "act"], [5.0] * 5, terms[:4],
                          [5.0] * 4, 7.5, ["copa", "lemeri", "dpp", "2019", "act"])
    docs = {d: DocumentRow(d, title, "Outlet", None, None, None, f"{d}.md", "f") for d, title in
            [("x", "Alaska Airlines grounds its jets"), ("y", "Lémery questions Copa")]}
    doc_terms = {"x": (frozenset(), frozenset({"alaska", "airlin", "2018", "prosecut", "act"})),
                 "y": (frozenset(), " 2019 ")}  # as a set, and as the stored term text
    soft = np.full((2, 5), 0.4)
    got = entity_support(ctx, soft, ["x", "y"], doc_terms, docs)
    assert got.tolist() == [[0.0, 0.0, 0.4, 0.0, 0.4], [1.0, 1.0, 0.4, 1.0, 0.4]]
    assert soft.tolist() == np.full((2, 5), 0.4).tolist()  # a copy
    no_names = QuestionContext(question, terms[4:], ["act"], [5.0], [], [], 7.5, ["act"])
    part = soft[:, 4:]
    assert entity_support(no_names, part, ["x", "y"], doc_terms, docs) is part  # no name: unchanged
