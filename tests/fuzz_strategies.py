"""Hypothesis strategies for the fuzz tests (tests/test_fuzz.py): hostile text, corpus files, questions, dates.

Everything here is pure data generation; the properties live in test_fuzz.py.
"""
from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

# --------------------------------------------------------------------------------------------------------------
# Characters and text
# --------------------------------------------------------------------------------------------------------------

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f",
        "\u061c"]
ODD_SPACES = ["\u00a0", "\u2009", "\u202f", "\u3000", "\t", "\n", "\r", "\r\n", "\u2028", "\u2029", "\x0b", "\x0c",
              "\x85", "\u1680", "  ", "   "]
QUOTES = ["“", "”", "‘", "’", '"', "'", "«", "»", "„", "‹", "›", "「", "」"]
PUNCT = [".", ",", "!", "?", ";", ":", "…", "...", "?!", "!!", ". . .", "—", "–", "-", "(", ")", "[", "]", "*", "_",
         "#", "`", "~", ">", "|", "/", "\\", "%", "$", "£", "€", "&", "@", "<", ">"]
ABBREVIATIONS = ["Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "St.", "U.S.", "U.K.", "E.U.", "p.m.", "a.m.", "Jan.", "Feb.",
                 "Sept.", "Inc.", "Ltd.", "Co.", "No.", "vs.", "etc.", "e.g.", "i.e.", "J.", "R.", "Gen.", "Sen.",
                 "Jr.", "approx.", "3.5%", "$12.40", "1.2m", "v2.0", "www.example.com", "x.com"]
WORDS = ["Paris", "prosecutors", "raided", "the", "offices", "of", "X", "Musk", "said", "on", "Tuesday", "in",
         "April", "Grok", "investigation", "Europol", "Ireland", "deepfakes", "court", "summoned", "appear", "will",
         "was", "a", "and", "it", "company", "Café", "naïve", "Zürich", "Ελλάδα", "Москва", "北京", "東京", "서울",
         "العربية", "עברית", "हिन्दी", "😀", "🇫🇷", "👨‍👩‍👧", "ﬁ", "Å", "e\u0301", "ǅ", "ß", "İ", "0", "42", "2026",
         "1,000", "May", "March", "Theresa", "June"]

# Hypothesis' own unicode text (it already favours the nasty code points: surrogates are excluded, as no
# decoded file or Discord message can contain them).
any_unicode = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200
)

_token = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(ABBREVIATIONS),
    st.sampled_from(PUNCT),
    st.sampled_from(QUOTES),
    st.sampled_from(ZERO_WIDTH + BIDI),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=6),
)
_sep = st.sampled_from([" "] * 8 + ["", "\n", "  ", "\u00a0", "\t"] + ODD_SPACES)


@st.composite
def token_text(draw, max_tokens: int = 60) -> str:
    """Words, abbreviations, punctuation, quotes, invisible characters and odd spaces glued together."""
    tokens = draw(st.lists(st.tuples(_token, _sep), max_size=max_tokens))
    return "".join(t + s for t, s in tokens)


@st.composite
def news_sentences(draw) -> str:
    """Sentence-shaped text: capitalised word runs ending in terminal punctuation, quotes around some."""
    out = []
    for _ in range(draw(st.integers(1, 6))):
        words = draw(st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(ABBREVIATIONS)), min_size=1,
                              max_size=12))
        s = " ".join(words)
        s = s[:1].upper() + s[1:]
        end = draw(st.sampled_from([".", "?", "!", "…", "...", ".”", "?”", ",” he said.", "", ".)", ".'", "!!"]))
        s += end
        if draw(st.booleans()):
            q1, q2 = draw(st.sampled_from([("“", "”"), ('"', '"'), ("‘", "’"), ("«", "»")]))
            s = q1 + s + q2
        out.append(s)
        out.append(draw(_sep))
    return "".join(out)


hostile_text = st.one_of(any_unicode, token_text(), news_sentences())


def ws_norm(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------------------------
# Corpus files
# --------------------------------------------------------------------------------------------------------------

# YAML source for one front-matter value: right and wrong types, odd dates, odd URLs, deep nesting.
_YAML_VALUES = st.one_of(
    st.sampled_from([
        "A title", "'quoted'", '"double quoted"', "", "~", "null", "Null", "true", "no", "42", "-1", "3.14", "1e400",
        ".nan", ".inf", "0x1F", "0o17", "2026-02-03", "'2026-02-03'", "2026-02-30", "2026-2-3", "20260203",
        "1770076800", "2026-02-03T10:00:00Z", "2026-02-03 10:00:00+01:00", "1969-12-31", "0000-00-00", "9999-12-31",
        "[a, b]", "[]", "{}", "{a: 1, b: [2, 3]}", "\n  - one\n  - two", "\n  key: value", "|\n  block text\n  more",
        ">\n  folded text", "&anchor value", "*anchor", "!!binary aGVsbG8=", "!!python/object/apply:os.system ['true']",
        "!!int 7", "!custom tag", "'unterminated", '"unterminated', "[unclosed", "{unclosed", "a: b: c", "- item",
        "? complex", "%TAG", "@reserved", "`backtick", "\"\\x00nul escape\"", "\"\\t tab \\u263A\"",
        "https://example.com/news/a", "http://www.example.co.uk/x?y=1#z", "ftp://example.com/a", "javascript:alert(1)",
        "//example.com/a", "http://", "https://exa mple.com/", "mailto:a@b.c", "<https://example.com>",
    ]),
    st.from_regex(r"[A-Za-z0-9 ,.:'’-]{0,40}", fullmatch=True),
    any_unicode.map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
)

# Values that once crashed or corrupted the corpus reader (regression tests in test_fuzz.py); drawn often.
REGRESSION_YAML_VALUES = [
    "http://[oops",  # urlparse ValueError (Invalid IPv6 URL) escaped scan_corpus
    "'https://[::1'",
    '"\\ud800 lone surrogate"',  # a surrogate escape gave a title no UTF-8 index can hold
    "[" * 450 + "]" * 450,  # RecursionError in the YAML composer (from ~350 levels)
    "null", "~",  # YAML's nothing, read as text by the BaseLoader
]
_FM_KEYS = ["title", "source", "url", "published", "date", "author", "Title", "tags", "published", "title"]


@st.composite
def front_matter(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.one_of(st.sampled_from(_FM_KEYS), st.sampled_from(["", "- x", "? [k]", "~", "1", "[a]"])))
        value = draw(st.sampled_from(REGRESSION_YAML_VALUES) if draw(st.sampled_from(range(10))) == 7 else _YAML_VALUES)
        indent = draw(st.sampled_from(["", "", "", " ", "\t"]))
        lines.append(f"{indent}{key}: {value}")
    if draw(st.integers(0, 4)):  # usually a valid core so most files get through to the paragraph checks
        core = ["title: Fuzzed article", "source: Fuzz Times", "published: 2026-02-03"]
        lines = core + lines if draw(st.booleans()) else lines + core
    return "\n".join(lines)


@st.composite
def body_text(draw) -> str:
    paras = draw(st.lists(st.one_of(hostile_text, st.sampled_from([
        "# A heading", "## Sub", "---", "***", "> quoted", "- list item", "1. numbered", "```\ncode\n```",
        "<div>inline html</div>", "[link](http://example.com)", "![img](x.png)", "Photo: AFP via Getty Images",
        "Sign up to our newsletter for more news", "Support us: donate, subscribe, your support matters",
        "Paris prosecutors have raided the offices of X, it said on Tuesday.", "#MeToo marchers gathered.",
        "# 1 in 4 deepfakes", "\\# escaped", "\\#tag", "#", "######", "#######", "# ",
    ])), max_size=8))
    seps = [draw(st.sampled_from(["\n\n", "\n", "\n \n", "\n\t\n", "\r\n\r\n", "\r\r", "\n\n\n\n", " "]))
            for _ in paras]
    return "".join(p + s for p, s in zip(paras, seps))


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())


def _yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def good_front_matter(draw) -> str:
    """A plausible header (title and source present), in any order, sometimes with one wrong-typed extra line."""
    lines = [
        "title: " + draw(st.one_of(st.sampled_from(["Fuzzed article", "'X raided: Paris'", "Ünïcode — title"]),
                                  any_unicode.map(_printable).filter(str.strip).map(_yaml_quote))),
        "source: " + draw(st.sampled_from(["Fuzz Times", "'The Paper'", '"Le Monde"', "BBC News"])),
    ]
    for key, values in [("url", ["https://example.com/a", "http://www.example.co.uk/x?y=1#z", "''"]),
                        ("published", ["2026-02-03", "'2026-02-03'", "2026-02-03T10:00:00Z", "~", "''"]),
                        ("author", ["A. Writer", "[A, B]", "''", "~"])]:
        if draw(st.booleans()):
            lines.append(f"{key}: {draw(st.sampled_from(values))}")
    lines = draw(st.permutations(lines))
    extra = draw(st.sampled_from(range(8)))
    if extra <= 1:
        key = draw(st.sampled_from(_FM_KEYS))
        lines = lines + [f"{key}: {draw(_YAML_VALUES)}"]
    elif extra == 2:
        key = draw(st.sampled_from(["title", "url", "author", "source"]))
        lines = lines + [f"{key}: {draw(st.sampled_from(REGRESSION_YAML_VALUES))}"]
    return "\n".join(lines)


@st.composite
def markdown_doc(draw) -> str:
    if draw(st.booleans()):
        return "---\n" + draw(good_front_matter()) + "\n---\n\n" + draw(body_text())
    opener = draw(st.sampled_from(["---\n"] * 8 + ["--- \n", "---\r\n", "\n---\n", "+++\n", "", "----\n"]))
    closer = draw(st.sampled_from(["\n---\n"] * 8 + ["\n...\n", "\n---", "\n--- \n", "", "\n+++\n"]))
    return opener + draw(front_matter()) + closer + draw(st.sampled_from(["\n", "", "\n\n"])) + draw(body_text())


@st.composite
def plaintext_doc(draw) -> str:
    header = []
    for _ in range(draw(st.integers(0, 5))):
        header.append(draw(st.one_of(
            st.sampled_from(["date 2026-02-03", "date: 2026-02-03", "DATE 2026-02-30", "date 03/02/2026",
                             "date 2026-02-03T09:00", "date", "date 2026-02-03 Your support helps us",
                             "title: A pasted article", "title:", "source: The Paper", "author: A. Writer",
                             "url: https://example.com/a", "url: not a url", "url: ftp://x", "published: 2026-02-03",
                             "published: yesterday", "Title: Upper case"]),
            st.sampled_from(["url: http://[oops"]) if draw(st.integers(0, 15)) == 0 else st.nothing(),
            hostile_text.map(lambda s: "title: " + s),
        )))
    sep = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return sep.join(header) + draw(st.sampled_from(["\n\n", "\n", ""])) + draw(body_text())


_TAGS = ["div", "p", "article", "main", "section", "span", "b", "i", "a", "h1", "h2", "nav", "footer", "header",
         "aside", "figure", "figcaption", "script", "style", "table", "tr", "td", "ul", "li", "blockquote", "pre",
         "code", "noscript", "template", "svg", "math", "iframe", "form", "button", "br", "img", "hr", "font"]
_ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&#39;", "&#x1F600;", "&#0;", "&#xD800;", "&#1114112;",
             "&bogus;", "&", "&#", "&#x;", "&mdash;", "&hellip;", "&shy;", "&zwj;"]


def _html_leaf():
    return st.one_of(
        hostile_text.map(lambda s: s.replace("<", "&lt;")),
        st.sampled_from(_ENTITIES),
        st.sampled_from(["<!-- comment -->", "<!--", "<![CDATA[ x ]]>", "<br>", "<br/>", "<img src=x onerror=1>",
                         "</p>", "</div></div>", "<p", "<", ">", "<?php echo 1; ?>", "<!DOCTYPE html>"]),
        st.just("Paris prosecutors have raided the offices of Elon Musk’s social media platform X as part of a "
                "cyber-crime investigation, it said on Tuesday."),
    )


def _html_node(children):
    @st.composite
    def node(draw):
        tag = draw(st.sampled_from(_TAGS))
        attrs = draw(st.sampled_from(["", ' class="article-body"', ' id="main"', " hidden", ' style="display:none"',
                                      ' lang="ar" dir="rtl"', " data-x='\"'", " a=b=c", ' itemprop="articleBody"']))
        inner = "".join(draw(st.lists(children, max_size=4)))
        close = draw(st.sampled_from([f"</{tag}>"] * 6 + ["", f"</{tag}", "</wrong>"]))
        return f"<{tag}{attrs}>{inner}{close}"

    return node()


html_fragment = st.recursive(_html_leaf(), _html_node, max_leaves=25)


@st.composite
def html_doc(draw) -> str:
    head = draw(st.sampled_from([
        "", "<title>A page</title>", "<title></title>", "<title>" + "x" * 300 + "</title>",
        '<meta property="og:title" content="OG title"><meta property="article:published_time" content="2026-02-03">',
        '<meta name="date" content="2026-02-30"><link rel="canonical" href="/relative/path">',
        '<link rel="canonical" href="http://[oops"><meta property="og:site_name" content="">',
        '<meta charset="latin-1">', '<meta http-equiv="Content-Type" content="text/html; charset=utf-16">',
        '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"nonsense","author":[1,{}]}'
        "</script>",
    ]))
    body = "".join(draw(st.lists(html_fragment, max_size=6)))
    doc = draw(st.sampled_from(["<!DOCTYPE html>", "", '<?xml version="1.0" encoding="latin-1"?>'])) + \
        f"<html><head>{head}</head><body>{body}</body></html>"
    if draw(st.integers(0, 4)) == 0:  # truncated anywhere
        doc = doc[: draw(st.integers(0, len(doc)))]
    return doc


SUFFIXES = [".md", ".markdown", ".txt", ".html", ".htm", ".MD", ".Html", ".docx", ".pdf", "", ".md.bak", ".json"]
_KIND_SUFFIX = {"md": [".md", ".md", ".markdown", ".MD"], "txt": [".txt"], "html": [".html", ".htm", ".Html"]}


@st.composite
def mutate_bytes(draw, data: bytes) -> bytes:
    """Byte-level damage: BOMs, line-ending changes, NULs, invalid UTF-8, truncation (maybe mid-character)."""
    if draw(st.sampled_from([True] * 3 + [False] * 2)):
        return data
    ops = draw(st.lists(st.sampled_from(["bom", "bom16", "crlf", "cr", "nul", "invalid", "truncate", "latin1",
                                         "none", "none", "none"]), max_size=3))
    for op in ops:
        if op == "bom":
            data = b"\xef\xbb\xbf" + data
        elif op == "bom16":
            data = b"\xff\xfe" + data.decode("utf-8", "replace").encode("utf-16-le")
        elif op == "crlf":
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        elif op == "cr":
            data = data.replace(b"\n", b"\r")
        elif op == "nul":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + b"\x00" + data[at:]
        elif op == "invalid":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                                                     b"\xc0\xaf", b"\x80"])) + data[at:]
        elif op == "truncate" and data:
            data = data[: draw(st.integers(0, len(data)))]
        elif op == "latin1":
            data = data.decode("utf-8", "replace").encode("latin-1", "replace")
    return data


@st.composite
def corpus_file(draw) -> tuple[str, bytes]:
    """(suffix, bytes) of one file as a newsroom might drop it in the corpus folder."""
    kind = draw(st.sampled_from(["md", "md", "md", "txt", "txt", "html", "html", "md", "txt", "bytes"]))
    if kind == "bytes":
        return draw(st.sampled_from(SUFFIXES)), draw(st.binary(max_size=3000))
    text = draw({"md": markdown_doc(), "txt": plaintext_doc(), "html": html_doc()}[kind])
    data = text.encode("utf-8")
    data = draw(mutate_bytes(data))
    matched = draw(st.sampled_from([True] * 7 + [False]))
    suffix = draw(st.sampled_from(_KIND_SUFFIX[kind] if matched else SUFFIXES))
    return suffix, data


# Stems from a small set, so that two files sometimes share an id ("a.md" and "a.txt").
file_stems = st.sampled_from(["a", "b", "c", "2026-02-03-raid", "Ünïcode name", "x y", "_", "-", "README", "readme",
                              ".hidden", "sub/a", "sub/deeper/b", "sub/.hidden/c"])


def pathological_files() -> dict[str, bytes]:
    """The big and deep inputs, too costly to generate at random every time: each is scanned once per run."""
    para = "Paris prosecutors have raided the offices of X, it said on Tuesday. "
    fm = "---\ntitle: Huge\nsource: Fuzz Times\npublished: 2026-02-03\n---\n\n"
    nested = "<div>" * 5000 + f"<p>{para}</p>" + "</div>" * 5000
    return {
        # 1 MB single lines in each format
        "huge-line.md": (fm + para * (1_000_000 // len(para))).encode(),
        "huge-line.txt": ("date 2026-02-03\n\n" + para * (1_000_000 // len(para))).encode(),
        "huge-line.html": f"<html><body><article><p>{para * (1_000_000 // len(para))}</p></article></body></html>"
        .encode(),
        "huge-word.txt": ("x" * 1_000_000).encode(),
        "huge-front-matter.md": ("---\ntitle: " + "t" * 1_000_000 + "\nsource: S\n---\n\nBody text.\n").encode(),
        # deep nesting
        "nested-5000-divs.html": f"<html><body>{nested}</body></html>".encode(),
        "nested-5000-divs-unclosed.html": ("<html><body>" + "<div>" * 5000 + f"<p>{para}").encode(),
        "nested-5000-spans.html": ("<html><body><article><p>" + "<span>" * 5000 + para + "</span>" * 5000 +
                                   "</p></article></body></html>").encode(),
        "nested-blockquotes.md": (fm + "> " * 5000 + para).encode(),
        "nested-front-matter.md": ("---\ntitle: " + "[" * 1000 + "]" * 1000 + "\nsource: S\n---\n\n" + para).encode(),
        # truncated
        "truncated.html": f"<html><head><title>Cut</title></head><body><article><p>{para * 5}</p>"
        .encode()[:-7],
        "truncated-mid-char.md": (fm + para + "Café").encode()[:-1],
        # encodings and bytes
        "bom-only.md": b"\xef\xbb\xbf",
        "utf16.txt": ("\ufeff" + para).encode("utf-16-le"),
        "all-nul.txt": b"\x00" * 1000,
        "cr-only.md": (fm + para + "\n\n" + para).replace("\n", "\r").encode(),
        "mixed-endings.txt": ("date 2026-02-03\r\n\r\n" + para + "\r\r" + para + "\n\n" + para).encode(),
        "too-large.txt": b"y" * 5_000_001,
    }


# --------------------------------------------------------------------------------------------------------------
# Dates and date phrases
# --------------------------------------------------------------------------------------------------------------

published_dates = st.one_of(st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)), st.none())

_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov",
                "Dec", "Jan.", "Sept."]
_WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@st.composite
def date_phrase(draw) -> str:
    mon = draw(st.sampled_from(_MONTH_NAMES))
    wd = draw(st.sampled_from(_WEEKDAY_NAMES))
    day = draw(st.integers(0, 40))
    year = draw(st.integers(1795, 2105))
    n = draw(st.sampled_from(["a", "one", "two", "three", "ten", "twelve", "2", "5", "11", "99"]))
    ordinal = draw(st.sampled_from(["", "st", "nd", "rd", "th"]))
    templates = [
        f"on {wd}", f"last {wd}", f"next {wd}", f"this {wd}", f"{wd} morning", f"on {wd} night",
        f"in {mon}", f"last {mon}", f"next {mon}", f"this {mon}", f"in mid-{mon}", f"in early {mon}",
        f"late {mon} {year}", f"at the end of {mon}", f"the start of {year}", f"the beginning of next year",
        f"the middle of last month", f"end-{mon}", f"mid-{year}", f"earlier in {mon}", f"later in {mon}, {year}",
        f"{day} {mon} {year}", f"{day}{ordinal} {mon}", f"{mon} {day}, {year}", f"{mon} {day}{ordinal}",
        f"{wd}, {mon} {day}", f"{wd} {day} {mon}", f"the {day}{ordinal} of {mon}", f"{mon} {year}",
        f"{mon}, {year}", f"{mon} of {year}", f"in {year}", f"since {year}", f"the {year} election",
        f"{year}'s", f"from {year} to {year + draw(st.integers(-3, 3))}", f"between {year} and {year + 1}",
        f"summer of {year}", f"spring {year}", f"{year:04d}-{draw(st.integers(0, 13)):02d}-{day:02d}",
        "yesterday", "today", "tomorrow", "tonight", "Yesterday", "last night", "this morning", "last week",
        "next week", "this week", "last month", "next month", "this year", "earlier this month", "later this year",
        f"{n} days ago", f"{n} weeks ago", f"{n} months ago", f"{n} years ago", "from March to May",
        "between Jan and Mar", "Theresa May", "Black Friday", "the Sunday Times", "June Sarpong said",
    ]
    return draw(st.sampled_from(templates))


@st.composite
def dated_sentence(draw) -> str:
    """Realistic date phrases inside news-like or random sentences."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        parts.append(draw(st.one_of(news_sentences(), token_text(max_tokens=8), st.sampled_from([
            "The trial will open", "Prosecutors said", "Musk was summoned to appear", "It is due to resume",
            "The hearing was postponed until", "He has until", "She said", "They met", "Shares rose 3.5%",
        ]))))
        parts.append(draw(date_phrase()))
    sep = draw(st.sampled_from([" ", ", ", " — ", "\n", "", "-", "/", ":"]))
    return sep.join(parts) + draw(st.sampled_from([".", "", "?", ".”"]))


# --------------------------------------------------------------------------------------------------------------
# Questions (Discord messages)
# --------------------------------------------------------------------------------------------------------------

REAL_QUESTIONS = ["When must Musk appear?", "Who raided X's offices?", "Where were the offices raided?",
                  "How many deepfakes?", "What is Grok?", "when did the raid happen", "Who is investigating X?",
                  "Was Europol involved?", "What did X say?", "Which unit was involved?"]
MENTIONS = ["<@123>", "<@!123456789012345678>", "<@&456>", "<#789>", "@everyone", "@here", "@everyone@here",
            "<@>", "<@&>", "<@abc>", "@ everyone", "＠everyone", "@every\u200bone"]
MARKDOWN = ["**", "__", "*", "_", "~~", "||", "`", "```", "> ", ">>> ", "# ", "-# ", "[x](https://example.com)",
            "<https://example.com>", "\\", "<:emoji:123>", "<a:anim:456>", "<t:1770076800:R>", "</ask:1>"]


@st.composite
def question_text(draw) -> str:
    pieces = draw(st.lists(st.one_of(
        st.sampled_from(REAL_QUESTIONS),
        st.sampled_from(MENTIONS),
        st.sampled_from(MARKDOWN),
        st.sampled_from(ZERO_WIDTH + BIDI),
        st.sampled_from(ODD_SPACES),
        st.sampled_from(WORDS),
        any_unicode,
    ), min_size=0, max_size=10))
    return "".join(pieces)


@st.composite
def big_question(draw) -> str:
    """About 100 KB: one piece repeated, or invisible/mention padding around a real question."""
    unit = draw(st.one_of(question_text(), st.sampled_from(MENTIONS + ZERO_WIDTH + BIDI + [" ", "\n", "a", "🇫🇷"])))
    if not unit:
        unit = "?"
    target = draw(st.sampled_from([100_000, 100_001, 99_999, 102_400]))
    if draw(st.booleans()):
        pad = (unit * (target // len(unit) + 1))[: target // 2]
        return pad + draw(st.sampled_from(REAL_QUESTIONS)) + pad
    return (unit * (target // len(unit) + 1))[:target]


@st.composite
def decorated_question(draw) -> str:
    """A real question with mentions, Markdown, invisible and RTL characters slipped in between its characters."""
    q = list(draw(st.sampled_from(REAL_QUESTIONS)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(q)))
        q.insert(at, draw(st.sampled_from(ZERO_WIDTH + BIDI + MENTIONS + MARKDOWN + ODD_SPACES)))
    return "".join(q)


questions = st.one_of(question_text(), hostile_text, decorated_question(), st.sampled_from(REAL_QUESTIONS))


# --------------------------------------------------------------------------------------------------------------
# Rendering: long corpus sentences, titles and outlets as the renderers get them
# --------------------------------------------------------------------------------------------------------------

# Censored words and emphasis (the `*` runs that once overflowed the Discord renderer's stack), every Markdown
# character Discord knows, URLs (some ending in characters Discord leaves out of a link), emoji, right-to-left text.
CENSORED = ["f***ing", "f*****g", "s**t", "a**hole", "b******s", "c***", "*", "**", "***", "*****", "_", "__", "~",
            "~~", "|", "||", "`", "```", "\\", "\\*", "\\\\", "*emphasis*", "_underlined_", "__init__"]
LINE_MARKUP = ["> ", ">>> ", "# ", "## ", "### ", "-# ", "- ", "  - ", "1. ", "12. ", "* ", "+ ", ">", "#"]
URLS = ["https://example.com/a_b*c", "http://example.co.uk/news/x_(1)", "<https://example.org/x>", "https://t.co/a]",
        "https://e.com/x.", "https://e.com/x),", "steam://run/1", "<a:/b_c>", "www.example.com/a_b",
        "[click here](https://evil.example/x)", "https://example.com/" + "x_" * 60]
EMOJI = ["😀", "🇫🇷", "👨‍👩‍👧", "🏳️‍🌈", "<:emoji:123>", "<a:anim:456>", "<t:1770076800:R>", "️", "\u20e3"]
RTL = ["العربية", "עברית", "مرحبا بالعالم", "\u202e", "\u200f", "\u2067", "قال المدعي العام"]
_render_token = st.one_of(
    st.sampled_from(WORDS), st.sampled_from(WORDS), st.sampled_from(CENSORED), st.sampled_from(CENSORED),
    st.sampled_from(MARKDOWN), st.sampled_from(MENTIONS), st.sampled_from(URLS), st.sampled_from(EMOJI),
    st.sampled_from(RTL), st.sampled_from(PUNCT), st.sampled_from(QUOTES), st.sampled_from(ZERO_WIDTH + BIDI),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=4),
)
_render_sep = st.sampled_from([" "] * 12 + ["", "", "  ", "\u00a0", "\t", "\n", "\u2028", "\r\n"])


@st.composite
def corpus_sentence(draw, max_chars: int = 5000) -> str:
    """A corpus-like sentence of up to `max_chars` characters: words, censored words, Markdown, mentions, URLs,
    emoji and right-to-left text; often grown by repetition to 850-5,000 characters (long quotes are rare in
    random text, and that is where the renderers cut)."""
    tokens = draw(st.lists(st.tuples(_render_token, _render_sep), min_size=1, max_size=120))
    text = "".join(t + s for t, s in tokens)
    if draw(st.booleans()):
        target = draw(st.integers(min(850, max_chars), max_chars))
        text = (text * (target // max(1, len(text)) + 1))[:target]
    return text[:max_chars]


# Titles and outlets as newsrooms write them: separators, brackets, code, underscores, line breaks, long ones.
TITLES = ["Live: markets | Tech_Desk", "Q&A: the *new* rules", "[Update] Court rules on X", "Ask `grok` anything",
          "Musk (X) — part 1", "Two\nlines", "f***ing chaos: a day at X", "snake_case_title", "a\\b", "<@123> mention",
          "See https://x.com/a_b", "||spoiler||", "~~struck~~", "Title ](<https://evil>) [", "🇫🇷 Paris raid",
          "العربية: المدعي العام", "x" * 1200]
meta_text = st.one_of(st.sampled_from(TITLES), corpus_sentence(max_chars=1500), any_unicode.filter(str.strip))
citation_urls = st.one_of(st.none(), st.just(""), st.sampled_from(URLS),
                          st.sampled_from(["https://example.com/a", "https://example.com/a b", "javascript:alert(1)",
                                           "https://example.com/" + "a" * 1500]))
