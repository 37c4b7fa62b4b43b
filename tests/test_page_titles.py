"""A page's title is the story's headline, without the outlet's name that its <title> tacks on: the citation names
the outlet apart, and the headline is what a reporter looks for. On real pages (htmldate's evaluation sets) 15% of
titles carried one. The outlet is the site's own name, without the tagline or headline some pages give it (45 of
953 there). The pages here are written for the test."""
import pytest

from retrieval.ingest.html import outlet_name, parse_html, without_outlet


@pytest.mark.parametrize("title, sitename, url, expected", [
    ("Woman's body found on popular beach | Wales Online", "Wales Online", "https://www.walesonline.co.uk/news/1",
     "Woman's body found on popular beach"),
    ("Madagascar: where Françafrique ends - infosperber", "Infosperber", "https://www.infosperber.ch/politik/1",
     "Madagascar: where Françafrique ends"),  # the site's name in another case; the colon stays in the headline
    ("Brexit deal agreed – BBC News", "BBC", "https://www.bbc.co.uk/news/uk-1", "Brexit deal agreed"),
    ("Harry and Meghan interview: key moments » CNN", None, "https://edition.cnn.com/2021/03/08/uk/1",
     "Harry and Meghan interview: key moments"),
    ("Growth forecast cut again · Newsnet.scot", "Newsnet.scot", None, "Growth forecast cut again"),
])
def test_the_outlets_name_after_a_separator_comes_off(title, sitename, url, expected):
    assert without_outlet(title, sitename, url) == expected


@pytest.mark.parametrize("title, sitename, url", [
    ("Prosecutors raid X offices", "Le Monde", "https://www.lemonde.fr/1"),  # nothing tacked on
    ("Musk - the man who bought Twitter", "X", "https://x.com/1"),  # a name too short to tell
    ("Crash on the A1 - live updates", "Daily Courier", "https://courier.example/1"),  # not the outlet
    ("Regulators v. Meta: the ruling | explained", "Policy Desk", "https://policy.example/1"),
    ("Le Monde - a history of the newspaper", "Le Monde", "https://www.lemonde.fr/1"),  # the outlet leads: a headline
])
def test_any_other_title_is_kept_as_it_is(title, sitename, url):
    assert without_outlet(title, sitename, url) == title


def test_a_page_is_cited_by_its_headline_and_the_repeated_headline_leaves_the_body():
    html = ('<html><head><title>Prosecutors raid X offices in Paris | Harbour Post</title>'
            '<meta property="og:site_name" content="Harbour Post">'
            '<link rel="canonical" href="https://harbourpost.example/2026/03/02/raid/"></head><body><article>'
            '<p>Prosecutors raid X offices in Paris</p>'
            "<p>Paris prosecutors searched the offices of the social network on Tuesday, a spokesperson for the "
            "prosecutor's office said in a statement.</p><p>The investigation was opened in January after a complaint "
            "by a member of parliament about the platform's recommendation algorithm.</p></article></body></html>")
    parsed = parse_html(html, fallback_title="x")
    assert (parsed.title, parsed.source) == ("Prosecutors raid X offices in Paris", "Harbour Post")
    assert parsed.paragraphs[0].startswith("Paris prosecutors searched")


@pytest.mark.parametrize("sitename, url, expected", [
    ("Monroe News - Monroe, Michigan", "https://www.monroenews.com/news/1", "Monroe News"),  # a tagline after
    ("Boston News, Weather, Sports | WHDH 7News", "https://whdh.com/news/1", "WHDH 7News"),  # a tagline before
    ("Crisis talks resume | Die FURCHE", "https://www.furche.at/1", "Die FURCHE"),  # a headline before
    ("SW1.News - Nachrichten der Region Schweinfurt - Main-Rhön", "https://sw1.news/1", "SW1.News"),
    ("LN - Lübecker Nachrichten", "https://www.ln-online.de/1", "LN - Lübecker Nachrichten"),  # no part is the host's
    ("The Guardian", "https://www.theguardian.com/1", "The Guardian"),
    ("Harbour Post - Local news", None, "Harbour Post - Local news"),  # without a link nothing tells
])
def test_the_outlet_is_the_sites_own_name(sitename, url, expected):
    assert outlet_name(sitename, url) == expected
