"""`casebot cases`, `casebot add`, `casebot remove`, and choosing the case the other commands work on.

Exit codes as for `ask`: 0 done, 2 bad input (unknown case, unreadable file, refused or unfetchable address, no
article text), 3 corpus or index problem (reindex busy or failed).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_BAD_INPUT, EXIT_INDEX = 0, 2, 3


def _err(msg: str) -> None:
    print(f"casebot: {msg}", file=sys.stderr, flush=True)


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def registry(settings):
    from retrieval.cases import CaseRegistry

    return CaseRegistry(settings)


def choose_case(reg, name: str | None) -> tuple[str, object]:
    """The case named with --case, else the only one; exit 2 with the list of cases when it takes a choice."""
    from retrieval.cases import CaseProblem

    try:
        return reg.resolve(name)
    except CaseProblem as exc:
        message = str(exc)
        if name is None:
            message += "; choose one with --case NAME"
        _err(message)
        raise SystemExit(EXIT_BAD_INPUT) from None


def add_case_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--case", metavar="NAME", help="the case (a folder of the corpus; see `casebot cases`); "
                        "needed when there are several")


def cmd_cases(args, settings) -> int:
    from retrieval.cases import case_status

    from bot.render_cases import render_cases

    rows = [case_status(info) for info in registry(settings).cases]
    if args.json:
        _print_json({"cases": rows})
    else:
        print(render_cases(rows))
    return EXIT_OK


def _is_address(text: str) -> bool:
    return "://" in text


def cmd_add(args, settings) -> int:
    from retrieval.cases import CaseProblem
    from retrieval.corpus_edit import EditProblem, add_article, article_from_file, article_from_page
    from retrieval.indexer import NoArticles, ReindexBusy
    from retrieval.ingest.errors import ArticleError
    from retrieval.ingest.fetch import FetchError, fetch_page
    from retrieval.manifest import IndexProblem

    from bot.render_cases import render_added

    reg = registry(settings)
    case, _ = choose_case(reg, args.case)
    try:
        if _is_address(args.what):
            page = fetch_page(args.what, allow_private=settings.fetch_allow_private,
                              max_bytes=settings.max_file_bytes, timeout=settings.fetch_timeout_seconds)
            article = article_from_page(page)
            overrides = {k: getattr(args, k) for k in ("title", "source", "url", "published")
                         if getattr(args, k) is not None}
            if overrides:
                from retrieval.corpus_edit import apply_overrides

                article = apply_overrides(article, **overrides)
        else:
            path = Path(args.what)
            if not path.is_file():
                _err(f"no such file: {args.what}")
                return EXIT_BAD_INPUT
            if path.stat().st_size > settings.max_file_bytes:
                _err(f"{args.what}: file too large (the limit is {settings.max_file_bytes:,} bytes)")
                return EXIT_BAD_INPUT
            article = article_from_file(path.name, path.read_bytes(), title=args.title, source=args.source,
                                        url=args.url, published=args.published, max_bytes=settings.max_file_bytes)
        result = add_article(reg, case, article)
    except (FetchError, EditProblem, CaseProblem, ArticleError) as exc:
        _err(str(exc))
        return EXIT_BAD_INPUT
    except (ReindexBusy, NoArticles, IndexProblem) as exc:
        _err(f"{exc}; the article was not added")
        return EXIT_INDEX
    except OSError as exc:
        _err(f"could not add the article: {exc}")
        return EXIT_INDEX
    if args.json:
        _print_json(result.to_json())
    else:
        print(render_added(result))
    return EXIT_OK


def cmd_remove(args, settings) -> int:
    from retrieval.cases import CaseProblem
    from retrieval.corpus_edit import EditProblem, remove_article
    from retrieval.indexer import NoArticles, ReindexBusy
    from retrieval.manifest import IndexProblem

    from bot.render_cases import render_removed

    reg = registry(settings)
    case, _ = choose_case(reg, args.case)
    try:
        result = remove_article(reg, case, args.doc_id)
    except (EditProblem, CaseProblem) as exc:
        _err(str(exc))
        return EXIT_BAD_INPUT
    except (ReindexBusy, NoArticles, IndexProblem, OSError) as exc:
        _err(f"{exc}; the article was not removed")
        return EXIT_INDEX
    if args.json:
        _print_json(result.to_json())
    else:
        print(render_removed(result))
    return EXIT_OK


def add_parsers(sub, settings_fn) -> None:
    """The `cases`, `add` and `remove` subcommands; `settings_fn` reads and checks the settings (exit 2)."""
    c = sub.add_parser("cases", help="the cases in the corpus folder, with article counts and last reindex")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=lambda args: cmd_cases(args, settings_fn()))

    a = sub.add_parser("add", help="add an article to a case from a web address or a file (.md, .html, .txt), "
                                   "and reindex")
    a.add_argument("what", metavar="URL_OR_FILE")
    add_case_option(a)
    a.add_argument("--title")
    a.add_argument("--source", help="the outlet, e.g. 'The Independent'")
    a.add_argument("--url", help="the article's address (for a file)")
    a.add_argument("--published", help="publication date YYYY-MM-DD")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=lambda args: cmd_add(args, settings_fn()))

    r = sub.add_parser("remove", help="take an article out of a case (moved to .removed/) and reindex")
    r.add_argument("doc_id", metavar="DOC_ID", help="the article's id, as `casebot sources --json` lists it")
    add_case_option(r)
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=lambda args: cmd_remove(args, settings_fn()))
