"""The console's case commands: `/case [NAME]` (list the cases, or switch to one), `/add URL_OR_FILE [title:…]
[source:…] [url:…] [published:…]`, `/remove DOC_ID`. Same core and wording as the CLI and Discord."""
from __future__ import annotations

import re
from pathlib import Path

from retrieval.cases import CaseProblem, CaseRegistry, case_status

HELP = "/case [NAME] · /add URL_OR_FILE [title:…] [source:…] [url:…] [published:…] · /remove DOC_ID"
COMMANDS = {"/case", "/cases", "/add", "/remove"}
_OPTION = re.compile(r"(?:^|\s)(title|source|url|published|case):")


class ConsoleSession:
    """The registry and the case the console is in (its engine answers /ask, /timeline, /sources, /reindex)."""

    def __init__(self, registry: CaseRegistry, case: str, engine):
        self.registry = registry
        self.case = case
        self.engine = engine

    def banner(self) -> str:
        names = self.registry.names()
        if len(names) <= 1:
            return ""
        return f"Case {self.case} (cases: {', '.join(names)}; switch with /case NAME)."

    def handle(self, command: str, rest: str) -> str:
        from retrieval.corpus_edit import EditProblem
        from retrieval.indexer import NoArticles, ReindexBusy
        from retrieval.ingest.errors import ArticleError
        from retrieval.ingest.fetch import FetchError
        from retrieval.manifest import IndexProblem

        from bot.render_cases import render_cases

        rest = rest.strip()
        try:
            if command in ("/case", "/cases"):
                self.registry.refresh()
                if not rest:
                    rows = [case_status(info) for info in self.registry.cases]
                    return render_cases(rows) + (f"\nIn case {self.case}." if self.case else "")
                self.case, self.engine = self.registry.resolve(rest)
                return f"Now in case {self.case}: {len(self.engine.sources())} article(s)."
            if command == "/add":
                return self._add(rest)
            if command == "/remove":
                return self._remove(rest)
        except (CaseProblem, EditProblem, FetchError, ArticleError) as exc:
            return str(exc)
        except (ReindexBusy, NoArticles, IndexProblem, OSError) as exc:
            return f"Nothing changed: {exc}"
        return HELP

    def _options(self, rest: str) -> tuple[str, dict[str, str]]:
        marks = list(_OPTION.finditer(rest))
        free = (rest[: marks[0].start()] if marks else rest).strip().strip("\"'")
        opts = {m.group(1): rest[m.end(): marks[i + 1].start() if i + 1 < len(marks) else len(rest)].strip()
                .strip("\"'") for i, m in enumerate(marks)}
        return free, {k: v for k, v in opts.items() if v}

    def _add(self, rest: str) -> str:
        from retrieval.corpus_edit import add_article, apply_overrides, article_from_file, article_from_page
        from retrieval.ingest.fetch import fetch_page

        from bot.render_cases import render_added

        what, opts = self._options(rest)
        if not what:
            return "Usage: " + HELP
        case = opts.pop("case", None) or self.case
        settings = self.registry.settings
        if "://" in what:
            page = fetch_page(what, allow_private=settings.fetch_allow_private, max_bytes=settings.max_file_bytes,
                              timeout=settings.fetch_timeout_seconds)
            article = apply_overrides(article_from_page(page), **opts)
        else:
            path = Path(what).expanduser()
            if not path.is_file():
                return f"No such file: {what}"
            if path.stat().st_size > settings.max_file_bytes:
                return f"File too large (the limit is {settings.max_file_bytes:,} bytes)"
            article = article_from_file(path.name, path.read_bytes(), max_bytes=settings.max_file_bytes, **opts)
        if case is None:
            raise CaseProblem(f"which case? {self.registry.listing()} (switch with /case NAME)")
        return render_added(add_article(self.registry, case, article))

    def _remove(self, rest: str) -> str:
        from retrieval.corpus_edit import remove_article

        from bot.render_cases import render_removed

        doc_id, opts = self._options(rest)
        case = opts.get("case") or self.case
        if not doc_id:
            return "Usage: /remove DOC_ID (the ids are in /sources)"
        if case is None:
            raise CaseProblem(f"which case? {self.registry.listing()} (switch with /case NAME)")
        return render_removed(remove_article(self.registry, case, doc_id))
