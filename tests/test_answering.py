"""Answers: verbatim quotes with citations, context when a quote leans on its neighbour, one answer per
statement however many outlets published it, and abstention when the corpus does not answer."""
import pytest

from retrieval.engine import CaseEngine
from retrieval.question import BadQuestion, QuestionType, parse_question

from .conftest import CORPUS

SEED = CORPUS / "independent-2026-02-03-x-paris-raid.md"
SEED_TEXT = SEED.read_text(encoding="utf-8")


@pytest.fixture
def bundled_engine(backend_engine):
    """Every test here runs against the local index and against Milvus Lite (issue 15)."""
    return backend_engine


def test_answer_is_the_sentence_with_its_citation(bundled_engine):
    result = bundled_engine.ask("When must Musk appear?")
    assert result.answered
    top = result.answers[0]
    assert top.text.startswith("The tech billionaire has also been summoned by prosecutors to appear in April")
    c = top.citation
    assert (c.source, c.published, c.paragraph, c.doc_id) == ("The Independent", "2026-02-03", 2, SEED.stem)
    assert c.title == "Elon Musk’s X offices in France raided by Paris prosecutors"
    assert c.url.startswith("https://www.independent.co.uk/")


@pytest.mark.parametrize("question", [
    "When must Musk appear?", "Who raided the offices of X?", "Has X acceded to the French authorities' demands?",
    "What did campaigners and victims say about the measures?", "Is Europol involved?",
])
def test_every_answer_is_verbatim_from_the_article(bundled_engine, question):
    for answer in bundled_engine.ask(question, k=5).answers:
        assert answer.text in SEED_TEXT


def test_a_bare_quotation_comes_with_the_sentence_that_attributes_it(bundled_engine):
    top = bundled_engine.ask("Has X acceded to the French authorities' demands?").answers[0]
    assert top.text == ("“X believes that this investigation is distorting French law in order to serve a political "
                        "agenda and, ultimately, restrict free speech,” it added. “For these reasons, X has not "
                        "acceded to the French authorities’ demands, as we have a legal right to do.”")


def test_a_self_contained_sentence_stands_alone(bundled_engine):
    top = bundled_engine.ask("Who raided the offices of X?").answers[0]
    assert top.text == ("Paris prosecutors have raided the offices of Elon Musk’s social media platform X as part of "
                        "a cyber-crime investigation, it said on Tuesday.")


@pytest.mark.parametrize("question", [
    "What is the recipe for French onion soup?",
    "Who won the 2018 football World Cup?",
    "What is the capital of Australia?",
    "How do I reset my router password?",
    "Quelle est la recette de la soupe à l'oignon ?",
    "asdf qwerty zxcv",
])
def test_off_topic_questions_get_no_answer(bundled_engine, question):
    result = bundled_engine.ask(question)
    assert not result.answered and result.answers == ()
    assert result.reason == "The corpus has no answer to that."


@pytest.mark.parametrize("raw, message", [
    ("", "empty"), ("   \t ", "empty"), ("?!…", "empty"), ("\u200b\u200b", "empty"),
    ("x" * 10_000, "too long"), ("<@123> @everyone", "empty"),
])
def test_bad_questions_are_refused_with_a_reason(bundled_engine, raw, message):
    with pytest.raises(BadQuestion, match=message):
        bundled_engine.ask(raw)


@pytest.mark.parametrize("plain, noisy", [
    ("Who raided the offices of X?", "Who\u200b raided the \u202eoffices\x07 of X?\ufeff <@&42> @here"),
    ("When must Musk appear?", "When\u200b must \u202eMusk\x07 appear?\ufeff <@&42> @here"),
])
def test_invisible_and_control_characters_do_not_change_the_answer(bundled_engine, plain, noisy):
    a, b = bundled_engine.ask(plain), bundled_engine.ask(noisy)
    assert (b.answered, [x.text for x in b.answers]) == (a.answered, [x.text for x in a.answers])


def test_question_types():
    assert parse_question("When must Musk appear?").kind is QuestionType.WHEN
    assert parse_question("Who raided the offices?").kind is QuestionType.WHO
    assert parse_question("Which regulators opened investigations?").kind is QuestionType.WHO
    assert parse_question("How many people were arrested?").kind is QuestionType.HOW_MANY
    assert parse_question("How much was the trust fined?").kind is QuestionType.HOW_MUCH
    assert parse_question("Where will they communicate?").kind is QuestionType.WHERE
    assert parse_question("Why did prosecutors widen it?").kind is QuestionType.WHY


def test_count_limits_the_answers(bundled_engine):
    assert len(bundled_engine.ask("What did X say about the investigation?", k=1).answers) == 1
    assert 1 < len(bundled_engine.ask("What did X say about the investigation?", k=5).answers) <= 5


def test_syndicated_story_is_one_answer_with_both_citations(settings, embedder):
    copy = SEED_TEXT.replace("source: The Independent", "source: The Evening Wire").replace(
        "published: '2026-02-03'", "published: '2026-02-04'").replace(
        "https://www.independent.co.uk/news/world/europe/elon-musk-x-office-raid-paris-prosecutors-b2912886.html",
        "https://wire.example/x-raid")
    (settings.corpus_dir / "wire-x-raid.md").write_text(copy, encoding="utf-8")
    engine = CaseEngine(settings, embedder=embedder)
    engine.reindex()
    result = engine.ask("Who raided the offices of X?", k=3)
    texts = [a.text for a in result.answers]
    assert len(texts) == len(set(texts))
    top = result.answers[0]
    assert top.citation.source == "The Independent"  # the original, published first
    assert [c.source for c in top.also] == ["The Evening Wire"]


def test_answers_from_another_case_do_not_leak_into_this_one(settings, embedder):
    (settings.corpus_dir / "other-case.md").write_text(
        "---\ntitle: Council approves new bridge\nsource: Local News\npublished: 2026-01-15\n---\n\n"
        "The city council approved a new bridge over the river on Thursday. Construction will start in May.\n\n"
        "The mayor said the bridge would cost 40 million euros.\n", encoding="utf-8")
    engine = CaseEngine(settings, embedder=embedder)
    engine.reindex()
    assert engine.ask("Who raided the offices of X?").answers[0].citation.doc_id == SEED.stem
    bridge = engine.ask("How much will the bridge cost?")
    assert bridge.answers[0].citation.doc_id == "other-case"
    assert "40 million euros" in bridge.answers[0].text


def test_a_question_about_what_is_to_come_sees_only_dates_not_before_the_article(bundled_engine):
    """`date_spans(not_before=…)` on each backend: with each sentence's publication day, "appear in April"
    (2026-04, after 2026-02-03) stays a date and "in July" (2025-07) does not; without it, both are dates."""
    store = bundled_engine.index.store
    texts = store.sentences(list(range(1000)))  # the bundled article's ids, whichever backend numbered them
    april = next(i for i, r in texts.items() if "appear in April" in r.text)
    july = next(i for i, r in texts.items() if r.text.startswith("In its rebuttal from July"))
    every = store.date_spans([april, july])
    assert set(every) == {april, july}
    ahead = store.date_spans([april, july], not_before={april: "2026-02-03", july: "2026-02-03"})
    assert ahead == {april: every[april]}
    assert store.date_spans([april, july], not_before={april: "2026-02-03"}) == every  # july keeps its date


def test_the_dates_of_sentences_are_read_with_their_values(bundled_engine):
    """`date_values` on each backend: the tagged (value, until) of each sentence, in order, which a question naming
    a date is compared with; a sentence without dates is absent."""
    store = bundled_engine.index.store
    texts = store.sentences(list(range(1000)))
    april = next(i for i, r in texts.items() if "appear in April" in r.text)
    july = next(i for i, r in texts.items() if r.text.startswith("In its rebuttal from July"))
    undated = next(i for i, r in texts.items() if i not in store.date_spans(list(texts)))
    assert store.date_values([april, july, undated]) == {april: [("2026-04", None)], july: [("2025-07", None)]}


def test_the_dates_of_whole_articles_are_read_with_their_values(bundled_engine):
    """`document_date_values` on each backend: every tagged date of an article's sentences, which tells whether the
    article supports the date a question names; an unknown article is absent."""
    store = bundled_engine.index.store
    doc = next(iter(store.documents))
    ids = list(store.sentences(list(range(1000))))
    every = [v for values in store.date_values(ids).values() for v in values]
    got = store.document_date_values([doc, "no-such-article"])
    assert set(got) == {doc} and sorted(got[doc]) == sorted(every)
    assert ("2026-04", None) in got[doc] and ("2025-07", None) in got[doc]
