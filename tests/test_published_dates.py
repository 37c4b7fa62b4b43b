"""Published versus modified (issue 12 item 4): a page is indexed on the day it says it was published, never on its
"updated" day, and `sources` says when the page's dates disagree: CLI text, JSON and Discord."""
import json
from datetime import date

import pytest

from bot.cli import main
from bot.render_text import render_sources
from retrieval.engine import CaseEngine
from retrieval.ingest.html import parse_html
from retrieval.ingest.importer import import_article
from retrieval.ingest.loader import read_article
from retrieval.ingest.page_dates import page_dates, parse_day
from tests.discord_helpers import all_text, running_bot

from .conftest import make_settings

BODY = ("<p>Paris prosecutors raided the offices of the social network on Tuesday, a spokesperson for the prosecutor's "
        "office said in a statement.</p><p>The investigation was opened in January after a complaint by a member of "
        "parliament about the platform's recommendation algorithm.</p><p>The company said it rejected the "
        "accusations and would cooperate with the authorities in every way it could.</p>")


def _page(head: str = "", top: str = "") -> str:
    return (f"<html><head><title>Prosecutors raid X offices</title>{head}</head><body><article>"
            f"<h1>Prosecutors raid X offices</h1>{top}{BODY}</article></body></html>")


JSON_LD = ('<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
           '"datePublished":"2026-03-02T08:00:00+01:00","dateModified":"2026-03-09T10:05:00+01:00"}</script>')
JSON_LD_GRAPH = ('<script type="application/ld+json">{"@graph":[{"@type":"WebPage","dateModified":"2026-03-09"},'
                 '{"@type":"NewsArticle","datePublished":"2026-03-02"}]}</script>')
OPEN_GRAPH = ('<meta property="article:published_time" content="2026-03-02T08:00:00Z">'
              '<meta property="article:modified_time" content="2026-03-09T10:05:00Z">')
MODIFIED_META_FIRST = ('<meta property="og:updated_time" content="2026-03-09T10:05:00Z">'
                       '<meta name="pubdate" content="2026-03-02">')
ITEMPROP = '<meta itemprop="dateModified" content="2026-03-09"><meta itemprop="datePublished" content="2026-03-02">'
TIME_TAGS = ('<p><time class="published" datetime="2026-03-02T08:00">2 March</time> · '
             '<time class="updated" datetime="2026-03-09T10:00">9 March</time></p>')

PAGES_BOTH = {
    "json-ld": _page(JSON_LD),
    "json-ld @graph": _page(JSON_LD_GRAPH),
    "open graph meta": _page(OPEN_GRAPH),
    "modified meta before published": _page(MODIFIED_META_FIRST),
    "itemprop meta": _page(ITEMPROP),
    "time elements": _page(top=TIME_TAGS),
    "visible line": _page(top="<p>Published 2 March 2026 · Updated 9 March 2026</p>"),
    "visible, updated first": _page(top="<p>Last updated: March 9, 2026 10:05 GMT | First published: March 2, 2026</p>"),
    "meta and visible": _page('<meta property="article:modified_time" content="2026-03-09T10:05:00Z">' + JSON_LD,
                              top="<p>Published 2 March 2026 · Updated 9 March 2026</p>"),
}


@pytest.mark.parametrize("name", PAGES_BOTH)
def test_published_wins_over_modified(name):
    parsed = parse_html(PAGES_BOTH[name], fallback_title="x")
    assert (parsed.published, parsed.modified) == (date(2026, 3, 2), date(2026, 3, 9)), name


@pytest.mark.parametrize("head, top", [
    ('<meta property="article:published_time" content="2026-03-02T08:00:00Z">', ""),
    ('<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2026-03-02"}</script>', ""),
    ("", "<p>Published: 2 March 2026</p>"),
    ("", "<p>Filed March 2, 2026 · 06:50 GMT</p>"),
])
def test_a_page_with_only_a_published_date_has_no_modified_date(head, top):
    parsed = parse_html(_page(head, top), fallback_title="x")
    assert (parsed.published, parsed.modified) == (date(2026, 3, 2), None)


@pytest.mark.parametrize("sentence", [
    "The report, published on 9 March 2026, found that the bolts were missing.",
    "It was updated on March 9, 2026 to include the company's reply, and the story went on for a while after that.",
])
def test_an_article_sentence_mentioning_publication_is_not_the_page_date(sentence):
    html = _page('<meta property="article:published_time" content="2026-03-02">', top=f"<p>{sentence}</p>")
    assert page_dates(html).modified is None and page_dates(html).published == date(2026, 3, 2)


@pytest.mark.parametrize("text, expected", [
    ("2026-03-02T23:30:00-05:00", date(2026, 3, 2)),  # the page's own calendar day
    ("2 March 2026", date(2026, 3, 2)), ("March 2, 2026", date(2026, 3, 2)), ("Mar. 2 2026", date(2026, 3, 2)),
    ("2nd March, 2026", date(2026, 3, 2)), ("2026-02-30", None), ("next Tuesday", None),
])
def test_parse_day(text, expected):
    assert parse_day(text) == expected


def test_import_keeps_both_dates_and_the_index_uses_published(tmp_path, embedder):
    src = tmp_path / "page.html"
    src.write_text(PAGES_BOTH["open graph meta"], encoding="utf-8")
    corpus = tmp_path / "corpus"
    out = import_article(src, corpus)
    assert "published: '2026-03-02'" in out.read_text() and "modified: '2026-03-09'" in out.read_text()
    article = read_article(out, corpus, max_bytes=10**6)
    assert (article.published, article.modified) == (date(2026, 3, 2), date(2026, 3, 9))
    (corpus / "plain.html").write_text(_page(JSON_LD.replace("2026-03-09T10:05:00+01:00", "2026-03-02")))
    engine = CaseEngine(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    engine.reindex()
    sources = {s.doc_id: s for s in engine.sources()}
    assert (sources["page"].published, sources["page"].modified) == ("2026-03-02", "2026-03-09")
    assert (sources["plain"].published, sources["plain"].modified) == ("2026-03-02", None)  # same day: no note
    text = render_sources(list(sources.values()))
    assert "2026-03-02 (page also says updated 2026-03-09)" in text
    assert text.count("page also says updated") == 1
    # "raided … on Tuesday" is read against Monday 2 March (the Tuesday before), not against Monday 9 March
    raid = [e for e in engine.timeline() if e.text.startswith("Paris prosecutors raided") and
            e.citation.doc_id == "page"]
    assert raid and raid[0].date == "2026-02-24", raid


def test_sources_json_and_discord_show_the_disagreement(tmp_path, embedder, monkeypatch, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "page.html").write_text(PAGES_BOTH["json-ld"], encoding="utf-8")
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.chdir(tmp_path)
    assert main(["reindex"]) == 0
    capsys.readouterr()
    assert main(["sources", "--json"]) == 0
    [src] = json.loads(capsys.readouterr().out)["sources"]
    assert (src["published"], src["modified"]) == ("2026-03-02", "2026-03-09")
    assert main(["sources"]) == 0
    assert "2026-03-02 (page also says updated 2026-03-09)" in capsys.readouterr().out


async def test_discord_sources_show_the_disagreement(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "page.html").write_text(PAGES_BOTH["visible line"], encoding="utf-8")
    engine = CaseEngine(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    engine.reindex()
    async with running_bot(engine) as w:
        text = all_text(await w.reporter.slash(w.channel, "sources"))
    assert "2026-03-02" in text and "(page also says updated 2026-03-09)" in text
