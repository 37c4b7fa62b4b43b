"""Fuzzing (issue 6, part 1): the corpus parsers, the sentence splitter, the date tagger and the question path.

Properties: no exception escapes; every file is read or skipped with a reason; every paragraph, sentence, answer and
timeline event is the corpus's own text; every date is a real date.

Every fuzz run prints a line ``fuzz: <target> examples=N ...`` (collected and shown after the module's tests, also
with ``-q``); RELIABILITY.md quotes those lines. The default sizes run in ``make test``; ``make stress`` runs the
``stress``-marked variants with 20x the examples. All runs are derandomized (the same examples on every run and
machine); a failure prints the falsifying example.

Bugs found by this fuzzing are listed at the end of this file: fixed ones as regression tests, open ones as
``xfail(strict=True)`` reproductions. Inputs that hit an open bug are kept in the strategies: the fuzz tests count
them (``known_bug_hits=``, by bug) and go on checking every other property; once the bug is fixed its xfail test
fails (XPASS), and its tolerance below should be removed.
"""
from __future__ import annotations

import contextlib
import html as html_lib
import os
import re
import tempfile
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval.ingest.decode import decode_article
from retrieval.ingest.errors import ArticleError
from retrieval.ingest.importer import import_article
from retrieval.ingest.loader import (IGNORED_NAMES, SUFFIXES, parse_article_text, read_article, scan_corpus,
                                     without_furniture)
from retrieval.ingest.metadata import parse_published
from retrieval.models import AnswerResult, Citation
from retrieval.question import _INVISIBLE, _MENTION, BadQuestion
from retrieval.sentences import lead_end, sentence_spans, split_sentences
from retrieval.temporal import DateMention, _tag, tag_dates

from . import fuzz_strategies as fs

# --------------------------------------------------------------------------------------------------------------
# Sizes, stress mode and the reported figures
# --------------------------------------------------------------------------------------------------------------

# examples per target in `make test`; `make stress` multiplies them by STRESS_FACTOR.
DEFAULT_EXAMPLES = {
    "corpus_files": 120,
    "import_roundtrip": 100,
    "split_sentences": 400,
    "tag_dates_random": 500,
    "tag_dates_grammar": 500,
    "question_ask": 250,
    "question_ask_100kb": 20,
    "question_timeline": 100,
    "render_quote": 300,
    "render_discord": 150,
    "render_citation": 200,
    "render_text": 150,
}
STRESS_FACTOR = 20
MAX_FILE_BYTES = 5_000_000  # scan_corpus's default limit
MODS = {None, "early", "mid", "late", "start", "end"}

# conftest.py deletes every CASEBOT_* variable when it is imported, so CASEBOT_STRESS is read here if it survived and
# otherwise inferred from `-m stress` (what `make stress` passes).
_STRESS_ENV = os.environ.get("CASEBOT_STRESS") == "1"

FUZZ_LINES: list[str] = []
_CURRENT_HITS: Counter[str] = Counter()  # known-bug hits of the fuzz run in progress, by bug


def known_bug(bug: str) -> None:
    """Count an input that hit a reported bug (see the xfail tests at the end of the file)."""
    _CURRENT_HITS[bug] += 1


def report_line(name: str, examples: int, stats: Counter | None = None) -> str:
    hits = dict(_CURRENT_HITS)
    line = f"fuzz: {name} examples={examples} known_bug_hits={sum(hits.values())}"
    if hits:
        line += " (" + ", ".join(f"{k}={v}" for k, v in sorted(hits.items())) + ")"
    extra = " ".join(f"{k}={v}" for k, v in sorted((stats or {}).items()) if k != "examples")
    line += f" {extra}" if extra else ""
    FUZZ_LINES.append(line)
    print(line)
    _CURRENT_HITS.clear()
    return line


def _stress_mode(config) -> bool:
    markexpr = config.getoption("markexpr") or ""
    selected = "stress" in markexpr and "not stress" not in markexpr
    return _STRESS_ENV or os.environ.get("CASEBOT_STRESS") == "1" or selected


@pytest.fixture(scope="module", autouse=True)
def _fuzz_report(request):
    """Show the fuzz figures after this module's tests, even with -q and output capture."""
    yield
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if reporter is None or not FUZZ_LINES:
        return
    with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
        reporter.write("\n")
        for line in FUZZ_LINES:
            reporter.write_line(line)


def run_fuzz(name: str, strategy, check, examples: int, *, slow: bool = False) -> Counter:
    """Run ``check`` on ``examples`` derandomized examples of ``strategy``; record and print the figures."""
    stats: Counter[str] = Counter()

    health = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example] if slow else []

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=health, print_blob=True)
    @given(strategy)
    def fuzz(value):
        stats["examples"] += 1
        outcome = check(value)
        if outcome:
            stats[outcome] += 1

    _CURRENT_HITS.clear()
    fuzz()
    report_line(name, stats["examples"], stats)
    return stats


def _size(name: str, stress: bool) -> int:
    return DEFAULT_EXAMPLES[name] * (STRESS_FACTOR if stress else 1)


stress_only = pytest.mark.stress


def _require_stress(request) -> None:
    if not _stress_mode(request.config):
        pytest.skip("stress size: run `make stress` (CASEBOT_STRESS=1, -m stress)")


# --------------------------------------------------------------------------------------------------------------
# Shared checks
# --------------------------------------------------------------------------------------------------------------

_WS = re.compile(r"\s+")


def no_ws(text: str) -> str:
    return "".join(text.split())


def valid_date_value(value: str) -> None:
    """A YYYY / YYYY-MM / YYYY-MM-DD value that names a real period."""
    assert isinstance(value, str) and re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", value), value
    parts = [int(p) for p in value.split("-")]
    year = parts[0]
    assert 1 <= year <= 9999
    if len(parts) >= 2:
        assert 1 <= parts[1] <= 12, value
    if len(parts) == 3:
        date(*parts)  # raises on 30 February


def encodable(text: str | None) -> bool:
    if text is None:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --------------------------------------------------------------------------------------------------------------
# 1. Corpus parsers through scan_corpus
# --------------------------------------------------------------------------------------------------------------

# scan_corpus's catch-all for an exception no parser anticipated: it keeps a reindex alive, but a fuzz input that
# reaches it is a parser bug (the reason tells the admin nothing), so the fuzz tests fail on it.
SAFETY_NET = "unreadable ("


def considered(rel: str) -> bool:
    """Whether scan_corpus must account for this file (hidden files/folders and READMEs are not articles)."""
    parts = Path(rel).parts
    return not any(p.startswith(".") for p in parts) and parts[-1].lower() not in IGNORED_NAMES


def visible(text: str) -> str:
    """Text as trafilatura keeps it (NFC, printable characters only), without whitespace."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text) if ch.isprintable() and not ch.isspace())


def is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


def html_text_views(decoded: str) -> tuple[str, ...]:
    """Visible texts of an HTML page a paragraph may come from: tags stripped, entities decoded."""
    stripped = html_lib.unescape(re.sub(r"<[^>]*>", "", decoded))
    views = [visible(stripped), visible(html_lib.unescape(decoded))]
    try:
        import lxml.html

        views.append(visible(lxml.html.document_fromstring(decoded.encode("utf-8")).text_content()))
    except Exception:  # noqa: BLE001 - only an extra view
        pass
    return tuple(views)


def check_corpus(files: dict[str, bytes], base: Path) -> str | None:
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        root = Path(tmp)
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        scan = scan_corpus(root, max_bytes=MAX_FILE_BYTES)
        expected = {rel for rel in files if considered(rel)}

        articles = {a.path: a for a in scan.articles}
        skipped = {}
        for s in scan.skipped:
            assert s.path not in skipped and s.path not in articles, f"{s.path} reported twice"
            assert isinstance(s.reason, str) and s.reason.strip(), f"{s.path} skipped without a reason"
            assert not s.reason.startswith(SAFETY_NET), f"{s.path}: an exception reached the catch-all: {s.reason}"
            skipped[s.path] = s.reason
        assert set(articles) | set(skipped) == expected, "every file is an article or skipped with a reason"
        assert len({a.doc_id for a in scan.articles}) == len(scan.articles), "doc ids are unique"

        for rel, a in articles.items():
            data = files[rel]
            kind = SUFFIXES[Path(rel).suffix.lower()]
            assert len(data) <= MAX_FILE_BYTES
            assert isinstance(a.title, str) and a.title.strip()
            assert isinstance(a.source, str) and a.source.strip()
            assert a.published is None or isinstance(a.published, date)
            assert a.url is None or re.match(r"https?://", a.url)
            assert all(encodable(v) for v in (a.title, a.source, a.author, a.url)), a
            assert a.paragraphs, "an article has text"
            decoded = decode_article(data, kind=kind)
            views = html_text_views(decoded) if kind == "html" else ()
            norm_file = fs.ws_norm(decoded)
            for p in a.paragraphs:
                assert isinstance(p, str) and p.strip() and p == p.strip(), repr(p)
                assert encodable(p), repr(p)
                assert "\x00" not in p
                if kind == "html":
                    # trafilatura decodes entities, re-flows whitespace and drops page furniture (even inline, e.g.
                    # "Tuesday.<nav>1</nav>0" gives "Tuesday.0"): it may leave out, never add or reorder.
                    assert any(is_subsequence(visible(p), v) for v in views), p
                else:
                    assert fs.ws_norm(p) in norm_file, p
        return "articles" if articles else "all_skipped"


corpus_examples = st.dictionaries(
    st.tuples(fs.file_stems, st.sampled_from(fs.SUFFIXES)).map("".join), fs.corpus_file().map(lambda t: t[1]),
    min_size=1, max_size=4,
)


@st.composite
def corpus_examples_kind_matched(draw) -> dict[str, bytes]:
    """Most files carry the suffix of what they contain, so the parsers get deep, not just the suffix check."""
    out = {}
    for _ in range(draw(st.integers(1, 4))):
        suffix, data = draw(fs.corpus_file())
        out[draw(fs.file_stems) + suffix] = data
    return out


corpus_strategy = st.one_of(corpus_examples_kind_matched(), corpus_examples_kind_matched(),
                            corpus_examples_kind_matched(), corpus_examples)


def _corpus_run(tmp_path, n):
    run_fuzz("corpus_files", corpus_strategy, lambda files: check_corpus(files, tmp_path), n, slow=True)


def test_fuzz_corpus_files(tmp_path):
    _corpus_run(tmp_path, _size("corpus_files", False))


@stress_only
def test_fuzz_corpus_files_stress(tmp_path, request):
    _require_stress(request)
    _corpus_run(tmp_path, _size("corpus_files", True))


def test_fuzz_corpus_pathological_files(tmp_path):
    """1 MB lines, 5,000 nested elements, truncated pages, BOMs, UTF-16, NULs, an over-size file: one corpus."""
    files = fs.pathological_files()
    _CURRENT_HITS.clear()
    outcome = check_corpus(files, tmp_path)
    report_line("corpus_pathological", len(files),
                Counter({outcome: 1, "total_bytes": sum(len(d) for d in files.values())}))


# --------------------------------------------------------------------------------------------------------------
# 1b. `casebot import` (.txt/.html/.md as pasted → canonical Markdown): the result must read back the same
# --------------------------------------------------------------------------------------------------------------

def check_import(args, base: Path) -> str:
    suffix, data, overrides = args
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        tmp = Path(tmp)
        src = tmp / f"in{suffix}"
        src.write_bytes(data)
        out = tmp / "corpus"
        try:
            target = import_article(src, out, **overrides)
        except ArticleError as exc:
            assert str(exc).strip()
            return "refused"
        # the file lands in the corpus folder, whatever the name asked for
        assert target.parent == out and target.suffix == ".md" and not target.name.startswith(".")
        assert target.resolve().is_relative_to(out.resolve())

        parsed = parse_article_text(decode_article(data, kind=SUFFIXES[suffix]), SUFFIXES[suffix], src,
                                    furniture=False)
        article = read_article(target, out, max_bytes=MAX_FILE_BYTES)
        # furniture is judged against the title the article carries, overridden or not
        paragraphs = tuple(without_furniture(parsed.paragraphs, article.title))
        assert article.paragraphs == paragraphs, (paragraphs, article.paragraphs)
        expect_title = overrides.get("title") or parsed.title
        assert fs.ws_norm(article.title) == fs.ws_norm(expect_title)
        expect_source = overrides.get("source") or parsed.source
        assert fs.ws_norm(article.source) == fs.ws_norm(expect_source)
        expect_url = overrides["url"] if "url" in overrides else parsed.url
        assert article.url == (fs.ws_norm(expect_url) if expect_url and expect_url.strip() else None)
        if "published" in overrides:
            assert article.published == parse_published(overrides["published"])
        else:
            assert article.published == parsed.published
        return "imported"


_override_values = {
    "title": st.one_of(st.none(), fs.hostile_text),
    "source": st.one_of(st.none(), fs.hostile_text),
    "url": st.one_of(st.none(), st.sampled_from(["https://example.com/a", "not a url", "", "http://[oops",
                                                 "https://exa mple.com/x"])),
    "published": st.one_of(st.none(), st.sampled_from(["2026-02-03", "2026-02-30", "yesterday", ""]),
                           st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31))),
    "author": st.one_of(st.none(), fs.hostile_text),
    "name": st.one_of(st.none(), st.sampled_from(["../../escape.md", "/etc/passwd", "a/b/c.txt", ".hidden", "..",
                                                  "COM1", "name with spaces.html", "ünï.md", ""]),
                      fs.any_unicode),
}


@st.composite
def import_examples(draw):
    kind = draw(st.sampled_from([".txt", ".txt", ".html", ".md"]))
    text = draw({".txt": fs.plaintext_doc(), ".html": fs.html_doc(), ".md": fs.markdown_doc()}[kind])
    data = draw(fs.mutate_bytes(text.encode("utf-8")))
    overrides = {}
    for key, strategy in _override_values.items():
        if draw(st.sampled_from([False, False, True])):
            value = draw(strategy)
            if value is not None:
                overrides[key] = value
    return kind, data, overrides


def test_fuzz_import_roundtrip(tmp_path):
    run_fuzz("import_roundtrip", import_examples(), lambda a: check_import(a, tmp_path),
             _size("import_roundtrip", False), slow=True)


@stress_only
def test_fuzz_import_roundtrip_stress(tmp_path, request):
    _require_stress(request)
    run_fuzz("import_roundtrip", import_examples(), lambda a: check_import(a, tmp_path),
             _size("import_roundtrip", True), slow=True)


# --------------------------------------------------------------------------------------------------------------
# 2. Sentence splitter
# --------------------------------------------------------------------------------------------------------------

def slices_modulo_whitespace(paragraph: str, sentences: list[str]) -> bool:
    """Each sentence matches, in order and without overlap, a slice of the paragraph if whitespace is ignored."""
    cursor = 0
    for s in sentences:
        pattern = r"\s*".join(re.escape(run) for run in s.split())
        m = re.compile(pattern).search(paragraph, cursor)
        if not m:
            return False
        cursor = m.end()
    return True


def check_split(paragraph: str) -> str | None:
    sentences = split_sentences(paragraph)
    spans = sentence_spans(paragraph)
    assert isinstance(sentences, list)
    assert [paragraph[a:b] for a, b in spans] == sentences, "split_sentences is the text of sentence_spans"
    previous_end = 0
    for (a, b), s in zip(spans, sentences):
        assert previous_end <= a < b <= len(paragraph), (spans, paragraph)
        previous_end = b
        assert isinstance(s, str) and s and s == s.strip(), repr(s)
    # in order, non-overlapping, exact slices; nothing but whitespace between them (after a leading dateline)
    assert no_ws("".join(sentences)) == no_ws(paragraph[lead_end(paragraph):]), \
        "no character of the paragraph is lost or added"
    cursor = 0
    for s in sentences:
        at = paragraph.find(s, cursor)
        assert at >= cursor, (paragraph, sentences)
        cursor = at + len(s)
    if not paragraph.strip():
        assert sentences == []
    return "several" if len(sentences) > 1 else None


split_strategy = st.one_of(fs.hostile_text, fs.news_sentences(), fs.token_text(max_tokens=120))


def test_fuzz_split_sentences():
    run_fuzz("split_sentences", split_strategy, check_split, _size("split_sentences", False))


@stress_only
def test_fuzz_split_sentences_stress(request):
    _require_stress(request)
    run_fuzz("split_sentences", split_strategy, check_split, _size("split_sentences", True))


# --------------------------------------------------------------------------------------------------------------
# 3. Date tagger
# --------------------------------------------------------------------------------------------------------------

def check_tags(args) -> str | None:
    sentence, published = args
    mentions = tag_dates(sentence, published)
    # tag_dates swallows every exception (and then returns no dates): the rules themselves must not raise.
    assert _tag(sentence, published) == mentions
    previous_end = 0
    for m in mentions:
        assert isinstance(m, DateMention)
        assert 0 <= m.start < m.end <= len(sentence), m
        assert sentence[m.start:m.end] == m.text, m
        assert m.start >= previous_end, f"overlapping or out of order: {mentions}"
        previous_end = m.end
        valid_date_value(m.value)
        assert 1900 <= int(m.value[:4]) <= 2100, m
        assert m.mod in MODS, m
    return "with_dates" if mentions else None


random_tag_strategy = st.tuples(fs.hostile_text, fs.published_dates)
grammar_tag_strategy = st.tuples(fs.dated_sentence(), fs.published_dates)


def test_fuzz_tag_dates_random():
    run_fuzz("tag_dates_random", random_tag_strategy, check_tags, _size("tag_dates_random", False))


def test_fuzz_tag_dates_grammar():
    stats = run_fuzz("tag_dates_grammar", grammar_tag_strategy, check_tags, _size("tag_dates_grammar", False))
    assert stats["with_dates"] > stats["examples"] // 3, "the grammar should mostly produce sentences with dates"


@stress_only
def test_fuzz_tag_dates_stress(request):
    _require_stress(request)
    run_fuzz("tag_dates_random", random_tag_strategy, check_tags, _size("tag_dates_random", True))
    run_fuzz("tag_dates_grammar", grammar_tag_strategy, check_tags, _size("tag_dates_grammar", True))


# --------------------------------------------------------------------------------------------------------------
# 4. Question path through the bundled engine
# --------------------------------------------------------------------------------------------------------------

class CorpusTruth:
    """What the bundled corpus says, read independently of the index: articles and their files' text."""

    def __init__(self, corpus_dir: Path):
        scan = scan_corpus(corpus_dir)
        assert scan.articles and not scan.skipped
        self.articles = {a.doc_id: a for a in scan.articles}
        self.files = {a.doc_id: (corpus_dir / a.path).read_text(encoding="utf-8-sig") for a in scan.articles}

    def check_citation(self, c: Citation) -> None:
        assert isinstance(c, Citation)
        assert c.doc_id in self.articles, c
        a = self.articles[c.doc_id]
        assert c.source and c.source == a.source
        assert c.title == a.title
        assert 1 <= c.paragraph <= len(a.paragraphs), c
        assert c.published == (a.published.isoformat() if a.published else None)

    def check_quote(self, text: str, c: Citation) -> None:
        """The quoted text is the cited paragraph's own characters, and it stands in the corpus file."""
        self.check_citation(c)
        assert isinstance(text, str) and text.strip() and text == text.strip()
        paragraph = self.articles[c.doc_id].paragraphs[c.paragraph - 1]
        assert text in paragraph, (text, paragraph)
        file_text = self.files[c.doc_id]
        if paragraph in file_text:
            assert text in file_text
        else:  # a paragraph hard-wrapped in the file
            assert fs.ws_norm(text) in fs.ws_norm(file_text)


@pytest.fixture(scope="module")
def truth(bundled_engine) -> CorpusTruth:
    return CorpusTruth(Path(bundled_engine.settings.corpus_dir))


def check_ask(engine, truth: CorpusTruth, args) -> str:
    question, k = args
    try:
        result = engine.ask(question, k)
    except BadQuestion as exc:
        assert str(exc).strip(), "BadQuestion says what to change"
        return "bad_question"
    assert isinstance(result, AnswerResult)
    assert result.answered == bool(result.answers)
    assert len(result.answers) <= 20
    assert not _MENTION.search(result.question), result.question
    assert not any(ch in _INVISIBLE for ch in result.question)
    if not result.answers:
        assert result.reason and result.reason.strip()
        return "no_answer"
    for answer in result.answers:
        truth.check_quote(answer.text, answer.citation)
        for c in answer.also:
            truth.check_citation(c)
    return "answered"


def check_timeline(engine, truth: CorpusTruth, args) -> str:
    query, since, until = args
    try:
        events = engine.timeline(query=query, since=since, until=until)
    except BadQuestion as exc:
        assert str(exc).strip()
        return "bad_question"
    from retrieval.timeline import in_range

    for ev in events:
        valid_date_value(ev.date)
        assert ev.mod in MODS
        assert ev.date_text and ev.date_text in ev.text, ev
        truth.check_quote(ev.text, ev.citation)
        for c in ev.also:
            truth.check_citation(c)
        assert in_range(ev.date, since, until)
    assert [ev.date for ev in events] == sorted(ev.date for ev in events)
    return "events" if events else "empty"


ask_strategy = st.tuples(fs.questions, st.one_of(st.none(), st.integers(-5, 50)))
big_ask_strategy = st.tuples(fs.big_question(), st.none())
_dates = st.one_of(st.none(), st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)))
timeline_strategy = st.tuples(st.one_of(fs.questions, fs.big_question(), st.just(""), st.none()), _dates, _dates)


@contextlib.contextmanager
def _one_torch_thread():
    """Correctness, not speed, is tested here: one intra-op thread keeps a busy CI box from thrashing (a query
    took ~40 ms on one thread vs ~200 ms on two contended cores); restored afterwards."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _question_runs(engine, truth, factor_stress: bool):
    with _one_torch_thread():
        _question_fuzz(engine, truth, factor_stress)


def _question_fuzz(engine, truth, factor_stress: bool):
    run_fuzz("question_ask", ask_strategy, lambda a: check_ask(engine, truth, a),
             _size("question_ask", factor_stress), slow=True)
    run_fuzz("question_ask_100kb", big_ask_strategy, lambda a: check_ask(engine, truth, a),
             _size("question_ask_100kb", factor_stress), slow=True)
    run_fuzz("question_timeline", timeline_strategy, lambda a: check_timeline(engine, truth, a),
             _size("question_timeline", factor_stress), slow=True)


@pytest.mark.slow
def test_fuzz_question_path(bundled_engine, truth):
    _question_runs(bundled_engine, truth, False)


@pytest.mark.slow
@stress_only
def test_fuzz_question_path_stress(bundled_engine, truth, request):
    _require_stress(request)
    _question_runs(bundled_engine, truth, True)


@pytest.mark.slow
def test_real_questions_are_answered_and_cited(bundled_engine, truth):
    """Sanity of the oracle: the fuzzed path is not trivially passing by always refusing."""
    answered = 0
    for q in fs.REAL_QUESTIONS[:4]:
        assert check_ask(bundled_engine, truth, (q, None)) in ("answered", "no_answer")
        answered += bundled_engine.ask(q).answered
    assert answered >= 2
    assert check_timeline(bundled_engine, truth, (None, None, None)) == "events"


# --------------------------------------------------------------------------------------------------------------
# 5. Renderers: long corpus sentences, titles and outlets through the Discord and text renderers
# --------------------------------------------------------------------------------------------------------------

# What Discord shows for a piece of Markdown, from its own rules: a URL verbatim, else a backslash before any
# character other than a letter, digit or space is dropped (simple-markdown's escape and url rules).
_DISCORD_SHOWN = re.compile(r"(?P<url><[^: >]+:/[^ >]+>|(?:https?|steam)://[^\s<]+[^<.,:;\"')\]\s])"
                            r"|\\(?P<ch>[^0-9A-Za-z\s])")
_MASKED_LINK = re.compile(r"\[(?P<label>[^\]]*)\]\((?P<target><[^>]*>|[^)\s]*)\)")


def shown(markdown: str) -> str:
    return _DISCORD_SHOWN.sub(lambda m: m.group("url") or m.group("ch"), markdown)


def assert_joins_back(pieces: list[str], line: str) -> None:
    """The shown pieces are `line`, with at most one space dropped where the line was cut (and at its end)."""
    rest = line
    for i, piece in enumerate(pieces):
        if i and not rest.startswith(piece) and rest.startswith(" "):
            rest = rest[1:]
        assert rest.startswith(piece), (piece, rest[:80])
        rest = rest[len(piece):]
    assert rest in ("", " "), rest[:80]


def check_quote_render(text: str) -> str:
    from bot.render_discord import LINE_LIMIT, escaped_pieces, quote_lines

    lines = quote_lines(text)
    assert all(len(line) <= LINE_LIMIT for line in lines)
    expected = []
    for source_line in text.splitlines() or [""]:  # each of the quote's own lines begins new block-quote lines
        pieces = escaped_pieces(source_line, LINE_LIMIT - 2)
        assert_joins_back([shown(p) for p in pieces], source_line)
        expected += [f"> {p}" for p in pieces]
    assert lines == expected
    return "cut" if len(lines) > len(text.splitlines() or [""]) else "one_line"


def _discord_limits(embeds) -> None:
    from tests.discord_helpers import limit_problems

    for embed in embeds:
        assert not limit_problems({"embeds": [embed.to_dict()]}), limit_problems({"embeds": [embed.to_dict()]})


def _citation(draw_title, draw_source, url, published, paragraph, doc="doc") -> Citation:
    return Citation(doc, draw_title, draw_source or "Outlet", url, published, paragraph)


citation_strategy = st.builds(_citation, fs.meta_text, fs.meta_text, fs.citation_urls,
                              st.one_of(st.none(), st.just("2026-02-03")), st.integers(1, 999))
answer_strategy = st.tuples(st.lists(st.tuples(fs.corpus_sentence(), citation_strategy,
                                               st.lists(citation_strategy, max_size=3)), min_size=1, max_size=5),
                            fs.corpus_sentence(max_chars=500))


def check_discord_render(args) -> str:
    """/ask, /timeline and /sources for long, Markdown-laden sentences and metadata: within Discord's limits,
    and each quote's block-quote lines present, in order."""
    from bot.render_discord import MESSAGE_LIMIT, answer_messages, quote_lines, sources_pages, timeline_pages
    from retrieval.models import Answer, SourceInfo, TimelineEvent

    items, question = args
    answers = tuple(Answer(text, 1.0, cite, tuple(also)) for text, cite, also in items)
    messages = answer_messages(AnswerResult(question, True, answers))
    assert messages and all(0 < len(m) <= MESSAGE_LIMIT for m in messages)
    sent = "\n".join(messages)
    position = 0
    for answer in answers:
        for line in quote_lines(answer.text):
            found = sent.find(line, position)
            assert found >= 0, line[:80]
            position = found + len(line)
    refused = answer_messages(AnswerResult(question, False, (), reason=question or None))
    assert refused and all(0 < len(m) <= MESSAGE_LIMIT for m in refused)
    events = [TimelineEvent("2026-02-03", None, "x", text, cite, tuple(also)) for text, cite, also in items]
    _discord_limits(timeline_pages(events, topic=question or None))
    sources = [SourceInfo(c.doc_id, c.title, c.source, c.url, c.published, None, len(t)) for t, c, _ in items]
    _discord_limits(sources_pages(sources))
    return "several_messages" if len(messages) > 1 else "one_message"


def check_citation_render(cite: Citation) -> str:
    """A citation line fits, and its title reads as written: as link text with nothing escaped, or as escaped
    text outside the link."""
    from bot.render_discord import LINE_LIMIT, _citation_lines, one_line

    lines = _citation_lines("— **[1]** ", cite)
    assert all(len(line) <= LINE_LIMIT for line in lines)
    text = "\n".join(lines)
    title = f"“{one_line(cite.title)}”"
    links = list(_MASKED_LINK.finditer(lines[0]))
    for link in links:
        assert "\\" not in link.group("label"), link.group(0)  # Discord would show the backslash
    if any(link.group("label") == title for link in links):
        return "title_linked"
    squeeze = re.compile(r"\s")  # a long line is cut at spaces, which are dropped
    assert squeeze.sub("", title) in squeeze.sub("", shown(text)), (title, text)
    return "title_as_text"


def check_text_render(args) -> str:
    """The CLI's and console's text: no exception, every quoted character kept (only line breaks move)."""
    from bot.render_text import render_answer, render_sources, render_summary, render_timeline
    from retrieval.models import Answer, ReindexSummary, SkippedFile, SourceInfo, TimelineEvent

    items, question = args
    for text, cite, also in items:
        out = render_answer(AnswerResult(question, True, (Answer(text, 1.0, cite, tuple(also)),)))
        quoted = "".join(line[4:] for line in out.split("\n") if line.startswith("  > "))
        assert re.sub(r"\s", "", quoted) == re.sub(r"\s", "", text)
    events = [TimelineEvent("2026-02-03", "mid", "x", text, cite, tuple(also)) for text, cite, also in items]
    timeline = render_timeline(events)
    assert all(e.text in timeline for e in events)
    render_sources([SourceInfo(c.doc_id, c.title, c.source, c.url, c.published, None, 1) for _, c, _ in items])
    render_summary(ReindexSummary(documents=1, skipped=[SkippedFile(question, question)]))
    return "rendered"


def _render_runs(stress: bool) -> None:
    run_fuzz("render_quote", fs.corpus_sentence(), check_quote_render, _size("render_quote", stress), slow=True)
    run_fuzz("render_discord", answer_strategy, check_discord_render, _size("render_discord", stress), slow=True)
    run_fuzz("render_citation", citation_strategy, check_citation_render, _size("render_citation", stress),
             slow=True)
    run_fuzz("render_text", answer_strategy, check_text_render, _size("render_text", stress), slow=True)


def test_fuzz_renderers():
    _render_runs(False)


@stress_only
def test_fuzz_renderers_stress(request):
    _require_stress(request)
    _render_runs(True)


# --------------------------------------------------------------------------------------------------------------
# Bugs found by the fuzzing. Fixed ones stay as regression tests; open ones are strict xfails (remove the mark
# once fixed).
# --------------------------------------------------------------------------------------------------------------

def _md(front: str, body: str = "Body text of the article.") -> str:
    return f"---\n{front}\n---\n\n{body}\n"


# fixed: urlparse's ValueError ('Invalid IPv6 URL') escaped scan_corpus from metadata.clean_url
@pytest.mark.parametrize("name, text", [
    ("bad-url.md", _md("title: T\nsource: S\nurl: http://[oops")),
    ("bad-url.txt", "url: http://[oops\n\nBody text of the article.\n"),
], ids=["md", "txt"])
def test_regression_bracket_url_is_skipped_with_reason(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    scan = scan_corpus(tmp_path)
    assert scan.articles == [] and [s.path for s in scan.skipped] == [name]
    assert "url" in scan.skipped[0].reason


# fixed: a RecursionError from the YAML composer escaped scan_corpus on front matter nested ~350+ levels deep
@pytest.mark.parametrize("value", ["[" * 450 + "]" * 450, "{a: " * 1000 + "1" + "}" * 1000], ids=["list", "map"])
def test_regression_deeply_nested_front_matter_is_skipped(tmp_path, value):
    (tmp_path / "deep.md").write_text(_md(f"title: {value}\nsource: S"), encoding="utf-8")
    scan = scan_corpus(tmp_path)
    assert scan.articles == [] and scan.skipped[0].path == "deep.md"
    assert not scan.skipped[0].reason.startswith(SAFETY_NET), scan.skipped[0].reason


# fixed: a YAML surrogate escape ("\ud800") gave an article a title that is not UTF-8, and every reindex then died
# with UnicodeEncodeError in indexer.article_fingerprint
def test_regression_surrogate_escape_in_front_matter(tmp_path):
    (tmp_path / "s.md").write_text(_md('title: "bad \\ud800 title"\nsource: S'), encoding="utf-8")
    scan = scan_corpus(tmp_path)
    assert scan.articles == [] and [s.path for s in scan.skipped] == ["s.md"]


@pytest.mark.slow
def test_regression_surrogate_title_does_not_break_reindex(tmp_path, embedder):
    from retrieval.engine import CaseEngine

    from .conftest import make_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.md").write_text(_md("title: Good\nsource: S", "Paris prosecutors raided X on Tuesday."),
                                    encoding="utf-8")
    (corpus / "bad.md").write_text(_md('title: "bad \\ud800 title"\nsource: S'), encoding="utf-8")
    engine = CaseEngine(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    summary = engine.reindex()
    assert summary.documents == 1 and [s.path for s in summary.skipped] == ["bad.md"]


# fixed: sentences._merge_fragments glued a short fragment on with " ", so a sentence was not a slice of its paragraph
# when the gap was other whitespace (two spaces, NBSP, thin space), and the answer then quoted text not in the article
@pytest.mark.parametrize("paragraph", ["He said no.  ”", "a\u00a0b. c. d", "It ended.\u2009”", "He left.  !"])
def test_regression_merged_sentence_is_a_slice(paragraph):
    check_split(paragraph)
    cursor = 0
    for s in split_sentences(paragraph):
        at = paragraph.find(s, cursor)
        assert at >= cursor, (paragraph, split_sentences(paragraph))
        cursor = at + len(s)


@pytest.mark.slow
def test_regression_merged_sentence_answer_is_verbatim(tmp_path, embedder):
    from retrieval.engine import CaseEngine

    from .conftest import make_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    para = "Musk was summoned to appear before prosecutors in Paris in April.  ”"
    (corpus / "a.md").write_text(_md("title: Summons\nsource: Fuzz Times\npublished: 2026-02-03", para),
                                 encoding="utf-8")
    engine = CaseEngine(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    engine.reindex()
    result = engine.ask("When must Musk appear before prosecutors in Paris?")
    assert result.answers
    for a in result.answers:
        assert a.text in para, a.text


# fixed: importer.render_markdown wrote 'url: null' / 'published: null', which the corpus reader (YAML BaseLoader)
# read back as the text 'null': every imported article without a url was skipped
def test_regression_import_without_url_or_date_is_readable(tmp_path):
    src = tmp_path / "pasted.txt"
    src.write_text("Paris prosecutors raided the offices of X on Tuesday.\n", encoding="utf-8")
    target = import_article(src, tmp_path / "corpus", source="Fuzz Times")
    scan = scan_corpus(tmp_path / "corpus")
    assert scan.skipped == [] and [a.path for a in scan.articles] == [target.name]
    assert scan.articles[0].url is None and scan.articles[0].published is None


# fixed: a pasted paragraph beginning with '#' (a hashtag) was dropped as a Markdown heading after import
def test_regression_import_keeps_hashtag_paragraph(tmp_path):
    src = tmp_path / "pasted.txt"
    src.write_text("date 2026-02-03\nurl: https://example.com/a\n\n#MeToo campaigners marched in Paris on Tuesday."
                   "\n\nThe march was peaceful.\n", encoding="utf-8")
    target = import_article(src, tmp_path / "corpus")
    article = read_article(target, tmp_path / "corpus", max_bytes=MAX_FILE_BYTES)
    assert article.paragraphs == ("#MeToo campaigners marched in Paris on Tuesday.", "The march was peaceful.")


# fixed: import_article accepted a file with NUL characters and wrote a corpus file the reader then skipped as binary
def test_regression_import_refuses_nul_bytes(tmp_path):
    src = tmp_path / "pasted.txt"
    src.write_bytes(b"url: https://example.com/a\ndate 2026-02-03\n\nParis prosecutors raided X.\x00\n")
    with pytest.raises(ArticleError, match="NUL"):
        import_article(src, tmp_path / "corpus")


# fixed: a .txt paragraph beginning with "# " was written unchanged into Markdown, read back as a heading and dropped
def test_regression_import_keeps_hash_space_paragraph(tmp_path):
    src = tmp_path / "pasted.txt"
    src.write_text("url: https://example.com/a\n\n# 1 in 4 deepfakes targeted minors, the report said.\n\n"
                   "The report was published on Tuesday.\n", encoding="utf-8")
    parsed = parse_article_text(src.read_text(encoding="utf-8"), "text", src)
    target = import_article(src, tmp_path / "corpus")
    article = read_article(target, tmp_path / "corpus", max_bytes=MAX_FILE_BYTES)
    assert article.paragraphs == tuple(parsed.paragraphs)


# fixed: a pasted paragraph beginning with '\\#' lost its backslash on the way through import and the reader
def test_import_keeps_a_literal_backslash_hash(tmp_path):
    src = tmp_path / "pasted.txt"
    src.write_text("url: https://example.com/a\n\n\\#hashtag was trending, the report said.\n", encoding="utf-8")
    target = import_article(src, tmp_path / "corpus")
    article = read_article(target, tmp_path / "corpus", max_bytes=MAX_FILE_BYTES)
    assert article.paragraphs == ("\\#hashtag was trending, the report said.",)
