"""Citation links that open the article at the quote: URL text fragments (WICG "Scroll to Text Fragment").

What a reader checks: the link is the article's own URL, and what the browser will look for (the decoded
fragment) is words of the quote, in order, exactly as the article has them.
"""
from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from retrieval.fragments import EDGE_WORDS, MAX_EXACT_WORDS, link_to_quote

URL = "https://www.example.org/2026/02/x-paris-raid.html"


def directive_parts(link: str) -> tuple[str, list[str]]:
    """(the URL before the directive, the decoded textStart[, textEnd]) parsed by the spec's grammar."""
    before, sep, directive = link.partition(":~:")
    assert sep, f"no fragment directive in {link}"
    assert directive.startswith("text="), directive
    raw = directive[len("text="):].split(",")
    assert 1 <= len(raw) <= 2
    for part in raw:
        # Delimiters of the directive and anything not unreserved never appear raw inside a part.
        assert part and not set(part) & set("-&, #:~()[]<>\"'"), part
        assert part.isascii()
    return before, [unquote(p) for p in raw]


@pytest.mark.parametrize("quote, expected", [
    ("Musk must appear in April.", "text=Musk%20must%20appear%20in%20April."),
    ("X-rated images, fines & raids", "text=X%2Drated%20images%2C%20fines%20%26%20raids"),
    ("Le parquet a dit « non ».", "text=Le%20parquet%20a%20dit%20%C2%AB%20non%20%C2%BB."),
    ("“It is a witch-hunt,” Musk said.", "text=%E2%80%9CIt%20is%20a%20witch%2Dhunt%2C%E2%80%9D%20Musk%20said."),
])
def test_short_quotes_are_matched_whole_with_delimiters_encoded(quote, expected):
    assert link_to_quote(URL, quote) == f"{URL}#:~:{expected}"


def test_long_quotes_use_start_and_end_words():
    quote = ("The tech billionaire has also been summoned by prosecutors to appear in April, following a "
             "year-long investigation into suspected abuse of algorithms by X or its executives.")
    link = link_to_quote(URL, quote)
    assert link == (f"{URL}#:~:text=The%20tech%20billionaire%20has,X%20or%20its%20executives.")


@pytest.mark.parametrize("url, base", [
    (URL + "#comments", URL + "#comments"),  # the page's own fragment stays, the directive follows it
    (URL + "#", URL + "#"),
    (URL + "#:~:text=something%20else", URL + "#"),  # an old directive would point elsewhere: replaced
    (URL + "#top:~:text=old", URL + "#top"),
    ("https://example.org/a?b=1&c=2", "https://example.org/a?b=1&c=2#"),
])
def test_an_existing_fragment_is_kept_and_the_directive_follows_it(url, base):
    link = link_to_quote(url, "Prosecutors raided the offices.")
    assert link == base + ":~:text=Prosecutors%20raided%20the%20offices."
    assert link.count("#") == 1 and link.count(":~:") == 1


@pytest.mark.parametrize("url", [None, ""])
def test_an_article_without_url_has_no_link(url):
    assert link_to_quote(url, "Anything at all.") is None


# -- property: for any sentence, the fragment decodes to words of the quote ------------------------------------
_WORD_CHARS = st.sampled_from(list("abcXYZ019éüßçø-–—&,;:!?.'\"“”‘’«»()[]%#~+/=*_…€$£") + ["中", "文", "🙂", "ά", "ж"])
_word = st.text(_WORD_CHARS, min_size=1, max_size=12)
_space = st.sampled_from([" ", " ", " ", "  ", "\n", "\u00a0"])


@st.composite
def sentences(draw):
    words = draw(st.lists(_word, min_size=1, max_size=30))
    out = words[0]
    for word in words[1:]:
        out += draw(_space) + word
    return out


@hsettings(max_examples=300, deadline=None)
@given(sentences())
def test_fragment_decodes_to_words_of_the_quote(quote):
    link = link_to_quote(URL, quote)
    before, parts = directive_parts(link)
    assert before == URL + "#"
    words = quote.split()
    if len(words) <= MAX_EXACT_WORDS:
        assert parts == [" ".join(words)]
    else:
        start, end = parts
        assert start.split(" ") == words[:EDGE_WORDS]
        assert end.split(" ") == words[-EDGE_WORDS:]


def test_answers_and_timeline_citations_link_to_their_quotes(bundled_engine):
    result = bundled_engine.ask("When must Musk appear?")
    assert result.answered
    for answer in result.answers:
        for citation in (answer.citation, *answer.also):
            assert citation.link and citation.link.startswith(citation.url + "#:~:text=")
            _, parts = directive_parts(citation.link)
            assert " ".join(answer.text.split()).startswith(parts[0])
            assert " ".join(answer.text.split()).endswith(parts[-1])
            assert answer.to_json()["citation"]["link"] == citation.link
    for event in bundled_engine.timeline():
        _, parts = directive_parts(event.citation.link)
        assert " ".join(event.text.split()).startswith(parts[0])


def test_an_article_without_url_is_cited_without_link(engine):
    (engine.settings.corpus_dir / "wire-note.txt").write_text(
        "date 2026-02-05\ntitle: Wire note\nsource: Newsroom wire\n\n"
        "The Paris prosecutors' cybercrime unit said its search of the X offices lasted eleven hours.\n",
        encoding="utf-8")
    engine.reindex()
    result = engine.ask("How long did the search of the X offices last?")
    cited = [c for a in result.answers for c in (a.citation, *a.also)]
    wire = [c for c in cited if c.doc_id.startswith("wire-note")]
    assert wire, [a.text for a in result.answers]
    assert all(c.url is None and c.link is None for c in wire)
    assert all(c.to_json()["link"] is None for c in wire)
