"""A page stamped in UTC is dated on the outlet's own calendar day (issue 11: a wrong date is the worst outcome).
"2023-11-09T03:28:35Z" on a New York evening story is 8 November where it was published, and its link says so
("/2023/11/08/"); on htmldate's labelled real pages this put eight dates a day out. The pages here are written for
the test."""
from datetime import date, time

import pytest

from retrieval.ingest.html import parse_html
from retrieval.ingest.page_dates import outlet_day, page_dates, url_day

BODY = ("<p>Prosecutors searched the offices of the social network on Tuesday, a spokesperson for the prosecutor's "
        "office said in a statement.</p><p>The investigation was opened in January after a complaint by a member of "
        "parliament about the platform's recommendation algorithm.</p>")


def _page(stamp: str, link: str | None, how: str = "json-ld") -> str:
    head = f'<link rel="canonical" href="{link}">' if link else ""
    if how == "json-ld":
        head += f'<script type="application/ld+json">{{"@type":"NewsArticle","datePublished":"{stamp}"}}</script>'
    else:
        head += f'<meta property="article:published_time" content="{stamp}">'
    return (f"<html><head><title>Offices searched</title>{head}</head><body><article><h1>Offices searched</h1>"
            f"{BODY}</article></body></html>")


@pytest.mark.parametrize("url, day", [
    ("https://news.example/2023/11/08/offices-searched/", date(2023, 11, 8)),
    ("https://news.example/politics/offices-searched/2017/7/12/c3d2_story.html", date(2017, 7, 12)),
    ("https://news.example/world/offices-searched-2024-02-29-update", date(2024, 2, 29)),
    ("https://news.example/2023/02/30/impossible/", None),
    ("https://news.example/politics/offices-searched-1234567/", None),
    ("http://[oops", None),
    (None, None),
])
def test_the_date_in_an_article_link(url, day):
    assert url_day(url) == day


@pytest.mark.parametrize("stamp, link, how, expected", [
    # evening in the Americas: the UTC stamp is the next day, the link the outlet's day
    ("2023-11-09T03:28:35Z", "https://post.example/2023/11/08/story/", "json-ld", date(2023, 11, 8)),
    ("2020-02-25T02:25:54+00:00", "https://six.example/2020/02/24/story/", "meta", date(2020, 2, 24)),
    # late evening in Europe: the UTC stamp is the day before
    ("2023-11-01T23:01:00Z", "https://rep.example/esteri/2023/11/02/diretta/", "json-ld", date(2023, 11, 2)),
    ("2018-12-31T23:11:59+0000", "https://blog.example/2019/01/01/new-year/", "meta", date(2019, 1, 1)),
])
def test_a_utc_stamp_a_day_from_the_links_date_takes_the_links(stamp, link, how, expected):
    assert parse_html(_page(stamp, link, how), fallback_title="x").published == expected


@pytest.mark.parametrize("stamp, link, expected", [
    # 10:04 UTC is the same day on every outlet's clock west of +14: a link dated the day before is when the
    # story was created
    ("2020-07-09T10:04:04Z", "https://wp.example/politics/story/2020/07/08/c3d2_story.html", date(2020, 7, 9)),
    # a stamp with the outlet's own offset is its calendar day
    ("2023-11-08T22:28:35-05:00", "https://post.example/2023/11/09/story/", date(2023, 11, 8)),
    ("2026-03-02T00:30:00+01:00", "https://paris.example/2026/03/01/story/", date(2026, 3, 2)),
    # more than a day apart: a republished story keeps its stated date
    ("2019-06-17T18:28:00Z", "https://mag.example/home/2017/7/12/story", date(2019, 6, 17)),
    # no date in the link
    ("2023-11-09T03:28:35Z", "https://post.example/news/story-1234/", date(2023, 11, 9)),
])
def test_other_stamps_stand_as_the_page_writes_them(stamp, link, expected):
    assert parse_html(_page(stamp, link), fallback_title="x").published == expected


def test_the_time_of_a_utc_stamp_is_kept_only_for_utc_stamps():
    assert page_dates(_page("2023-11-09T03:28:35Z", None)).published_utc == time(3, 28)
    assert page_dates(_page("2023-11-09T03:28:35-05:00", None)).published_utc is None
    assert page_dates(_page("2023-11-09", None)).published_utc is None


def test_the_reach_of_the_outlets_clocks():
    day = date(2023, 11, 9)
    assert outlet_day(day, time(7, 59), [date(2023, 11, 8)]) == date(2023, 11, 8)
    assert outlet_day(day, time(8, 0), [date(2023, 11, 8)]) == day  # UTC-08:00 is midnight: still the same day
    assert outlet_day(day, time(10, 0), [date(2023, 11, 10)]) == date(2023, 11, 10)
    assert outlet_day(day, time(9, 59), [date(2023, 11, 10)]) == day
    assert outlet_day(day, None, [date(2023, 11, 8)]) == day
