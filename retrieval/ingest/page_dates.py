"""When a saved page says it was published, and when it says it was last updated.

Sources, most explicit first: JSON-LD (`datePublished` / `dateModified`), meta tags (`article:published_time`,
`og:updated_time`, `itemprop="datePublished"`, Dublin Core …), `<time>` elements marked as published or updated,
then a visible line ("Published 2 March 2026 · Updated 9 March 2026", "Last updated: March 9, 2026 | First
published: March 2, 2026"). htmldate (trafilatura's date finder, asked for the *original* date) is the fallback
for the published date only: given a page with both, it may return the modified one, which puts every
"on Tuesday" of the article a week late. A date is the calendar day as the page writes it (its own time zone).

A timestamp in UTC ("2023-11-09T03:28:35Z") names an instant, not the outlet's calendar day: an evening story in New
York is stamped the next day in UTC, an early-morning one in Paris the day before. On labelled real pages
(htmldate's evaluation sets) that put ten of ~1,000 dates a day out. `outlet_day` settles such a day with the one
in the article's URL ("/2023/11/08/") when that is one day away and a real clock could be on it: eight of the
ten, and no right date changed.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Iterable
from urllib.parse import urlsplit

import lxml.html

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTH = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|" \
         r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\s*,?\s+(\d{{4}})\b", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+(\d{{4}})\b", re.IGNORECASE)

_PUBLISHED_KEYS = {"article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
                   "publish-date", "publish_date", "dc.date", "dc.date.issued", "dcterms.issued", "dcterms.created",
                   "sailthru.date", "parsely-pub-date", "date", "datecreated"}
_MODIFIED_KEYS = {"article:modified_time", "og:updated_time", "datemodified", "lastmod", "last-modified",
                  "dc.date.modified", "dcterms.modified", "updated_time", "article:updated_time"}
# A visible label that opens a short line: "Published", "First published", "Posted", "Filed" / "Updated",
# "Last updated", "Modified". The date must follow within a few words ("Published on Monday 2 March 2026").
# The label must open the line or a part of it after a separator: "The report, published on 2 March 2024, …"
# is article text.
_VISIBLE = re.compile(
    r"(?:(first\s+published|published|posted|filed)|(last\s+updated|last\s+modified|updated|modified))\b"
    r"\s*(?:on|at)?\s*:?\s*(.{0,40})", re.IGNORECASE)
# An ISO time of day at UTC: "Z", "+00:00", "+0000", "-00:00".
_UTC_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ](\d{2}):(\d{2})(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]00:?00)(?!\d)",
                          re.IGNORECASE)
# The outlets' clocks run from UTC-08:00 (the Pacific coast of North America) to UTC+14:00 (Kiribati, the
# easternmost inhabited zone): a UTC stamp falls on the outlet's previous day only before 08:00, on its next day
# only from 10:00. A URL dated the day before a later stamp is the day the story was created (Washington Post
# links are dated so), not a clock.
WESTMOST = timedelta(hours=-8)
EASTMOST = timedelta(hours=14)
# A date in a URL's path: "/2023/11/08/", "/2017/7/12/", "-2023-11-08-" (a slug's date).
_URL_DAY = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?=/|$)|(?<![\d])((?:19|20)\d{2})-(\d{2})-(\d{2})(?![\d])")
_SEPARATORS = re.compile(r"[|·•]")
_LINE_MAX = 160  # a dateline is short; a sentence saying "published" is article text, not the page's date
_MAX_ELEMENTS = 5000  # elements of <body> looked at: a dateline sits among the first; bounds the cost on junk


@dataclass(frozen=True)
class PageDates:
    published: date | None
    modified: date | None
    published_utc: time | None = None  # the time of day when the published date was read off a UTC timestamp


def url_day(url: str | None) -> date | None:
    """The calendar date in a URL's path ("/2023/11/08/", "/2017/7/12/", "…-2023-11-08-…"), or None."""
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:  # "http://[oops"
        return None
    m = _URL_DAY.search(path)
    if not m:
        return None
    y, mo, d = (m[1], m[2], m[3]) if m[1] else (m[4], m[5], m[6])
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        return None


def outlet_day(stated: date, utc: time | None, others: Iterable[date | None]) -> date:
    """The outlet's calendar day for a stated publication date. A day read off a UTC timestamp at time of day `utc`
    may be one either side of the outlet's own, as far as the outlets' clocks reach (WESTMOST, EASTMOST): the first
    of `others` (the article URL's date) that is the day before or after and within that reach replaces it. Any
    other date stands as stated."""
    if utc is None:
        return stated
    clock = timedelta(hours=utc.hour, minutes=utc.minute)
    for other in others:
        if other == stated - timedelta(days=1) and clock + WESTMOST < timedelta(0):
            return other
        if other == stated + timedelta(days=1) and clock + EASTMOST >= timedelta(days=1):
            return other
    return stated


def parse_day(text: str) -> date | None:
    """The first full calendar date in text: ISO (2026-03-02, 2026-03-02T08:00+01:00), "2 March 2026" or
    "March 2, 2026"; None when there is none or it is impossible."""
    for pattern, order in ((_ISO, "ymd"), (_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        m = pattern.search(text)
        if not m:
            continue
        try:
            if order == "ymd":
                return date(int(m[1]), int(m[2]), int(m[3]))
            if order == "dmy":
                return date(int(m[3]), _MONTHS[m[2][:3].lower()], int(m[1]))
            return date(int(m[3]), _MONTHS[m[1][:3].lower()], int(m[2]))
        except ValueError:
            return None
    return None


def page_dates(html: str) -> PageDates:
    """Published and modified dates a page states; either may be None. Never raises on a malformed page."""
    try:
        tree = lxml.html.fromstring(html.encode("utf-8", "surrogatepass"))
    except Exception:  # noqa: BLE001 - lxml raises several types on junk; a page without dates is fine
        return PageDates(None, None)
    published: list[date] = []
    modified: list[date] = []
    utc: list[time | None] = []  # per published date from structured data, its time of day if a UTC timestamp
    _from_json_ld(tree, published, modified, utc)
    _from_meta(tree, published, modified, utc)
    _from_visible(tree, published, modified)
    return PageDates(published[0] if published else None, modified[0] if modified else None,
                     utc[0] if utc else None)  # structured dates come first: utc[0] is published[0]'s


def _utc_time(value: str) -> time | None:
    m = _UTC_INSTANT.search(value)
    if not m:
        return None
    try:
        return time(int(m[1]), int(m[2]))
    except ValueError:
        return None


def _from_json_ld(tree, published: list[date], modified: list[date], utc: list[time | None]) -> None:
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        try:
            data = json.loads(script.text_content() or "")
        except (ValueError, RecursionError):
            continue
        for obj in _objects(data):
            for key, out in (("datePublished", published), ("dateCreated", published), ("dateModified", modified)):
                value = obj.get(key)
                if isinstance(value, str) and (day := parse_day(value)):
                    out.append(day)
                    if out is published:
                        utc.append(_utc_time(value))


def _objects(data, depth: int = 0):
    """Every JSON object in a JSON-LD block (a list, an @graph, nested), shallow enough to be safe."""
    if depth > 6:
        return
    if isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, (dict, list)):
                yield from _objects(value, depth + 1)
    elif isinstance(data, list):
        for item in data[:200]:
            yield from _objects(item, depth + 1)


def _from_meta(tree, published: list[date], modified: list[date], utc: list[time | None]) -> None:
    for el in tree.xpath("//meta | //time"):
        keys = {(el.get(a) or "").strip().lower() for a in ("property", "name", "itemprop", "http-equiv")}
        classes = (el.get("class") or "").lower()
        value = el.get("content") or el.get("datetime") or ""
        if el.tag == "time":
            if "itemprop" not in el.attrib and not any(w in classes for w in ("publish", "updat", "modif")):
                continue
            keys |= {"datepublished"} if "publish" in classes else set()
            keys |= {"datemodified"} if ("updat" in classes or "modif" in classes) else set()
        day = parse_day(value)
        if day is None:
            continue
        if keys & _MODIFIED_KEYS:
            modified.append(day)
        elif keys & _PUBLISHED_KEYS:
            published.append(day)
            utc.append(_utc_time(value))


def _from_visible(tree, published: list[date], modified: list[date]) -> None:
    body = tree.find("body")
    if body is None:
        return
    for n, el in enumerate(body.iter()):
        if n > _MAX_ELEMENTS:
            return
        if el.tag in ("script", "style") or not isinstance(el.tag, str) or len(el) > 6:
            continue
        line = " ".join(el.text_content()[:_LINE_MAX * 4].split())
        if not line or len(line) > _LINE_MAX:
            continue
        for part in _SEPARATORS.split(line):
            m = _VISIBLE.match(part.strip())
            day = parse_day(m.group(3)) if m else None
            if day is not None:
                (published if m.group(1) else modified).append(day)
        if published and modified:
            return
