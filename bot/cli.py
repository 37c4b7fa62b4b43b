"""`casebot` command line: ask, timeline, sources, reindex, import, console, run.

Exit codes: 0 answered / done, 1 the corpus has no answer, 2 bad input, 3 no usable index or corpus.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import date
from pathlib import Path

EXIT_OK, EXIT_NO_ANSWER, EXIT_BAD_INPUT, EXIT_INDEX = 0, 1, 2, 3

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def _err(msg: str) -> None:
    print(f"casebot: {msg}", file=sys.stderr, flush=True)


def _settings():
    from pydantic import ValidationError

    from bot.settings import BotSettings, describe_validation_error, unknown_variables

    try:
        settings = BotSettings()
    except ValidationError as exc:
        _err(describe_validation_error(exc))
        raise SystemExit(EXIT_BAD_INPUT) from None
    for warning in unknown_variables([*os.environ, *_dotenv_names()]):
        _err(f"warning: {warning}")
    return settings


def _dotenv_names() -> list[str]:
    """The variable names in ./.env (values are not read into anything here: they may be secrets)."""
    try:
        from dotenv import dotenv_values

        return list(dotenv_values(".env")) if Path(".env").is_file() else []
    except (ImportError, OSError, UnicodeDecodeError):
        return []


def _engine(settings, *, build: bool = True, case: str | None = None, reg=None):
    """The case's engine (--case, else the only case; exit 2 listing the cases when there are several) with its
    index open; builds the index first when there is none yet (with a note)."""
    from retrieval.indexer import NoArticles
    from retrieval.manifest import IndexProblem

    from bot.cli_cases import choose_case, registry
    from bot.progress import TerminalProgress

    from bot.runner import describe_model_error, load_model

    _, engine = choose_case(reg or registry(settings), case)
    try:
        load_model(engine)  # first, so that a model that cannot be read is not blamed on the corpus
    except Exception as exc:  # noqa: BLE001 - any failure to read the model: the setting and the cause
        _err(describe_model_error(exc))
        raise SystemExit(EXIT_INDEX) from None
    progress = TerminalProgress()
    try:
        summary = engine.load(build_if_needed=build, progress=progress)
    except IndexProblem as exc:
        _err(str(exc))
        raise SystemExit(EXIT_INDEX) from None
    except (FileNotFoundError, NoArticles) as exc:
        _err(f"{exc}. Set CASEBOT_CORPUS_DIR to a folder of articles (see README: corpus format).")
        raise SystemExit(EXIT_INDEX) from None
    finally:
        progress.close()
    if summary is not None:
        from bot.render_text import render_summary

        _err("there was no usable index, so it was built first: " + render_summary(summary))
    elif engine.corpus_changed():
        _err(f"note: files in {settings.corpus_dir} changed since the last reindex; "
             "answers come from the index as it was. Run `casebot reindex` to update it.")
    return engine


def cmd_ask(args) -> int:
    from retrieval.question import BadQuestion

    from bot.render_text import render_answer

    settings = _settings()
    engine = _engine(settings, case=args.case)
    if args.question == "-":
        for line in sys.stdin:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            try:
                result = engine.ask(line, args.k)
            except BadQuestion as exc:
                if args.json:
                    _print_json({"question": line, "answered": False, "answers": [], "latency_ms": 0.0,
                                 "error": str(exc)})
                else:
                    print(f"? {line}\n{exc}\n", flush=True)
                continue
            if args.json:
                _print_json(result.to_json())
            else:
                print(f"? {result.question}\n{render_answer(result)}\n", flush=True)
        return EXIT_OK
    try:
        result = engine.ask(args.question, args.k)
    except BadQuestion as exc:
        if args.json:
            _print_json({"question": args.question, "answered": False, "answers": [], "latency_ms": 0.0,
                         "error": str(exc)})
        else:
            _err(str(exc))
        return EXIT_BAD_INPUT
    if args.json:
        _print_json(result.to_json())
    else:
        print(render_answer(result))
    return EXIT_OK if result.answered else EXIT_NO_ANSWER


def _count_arg(value: str) -> int:
    """-k: a whole number of answers from 1 to 20 (argparse exits with 2 and the message otherwise)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 1 <= number <= 20:
        raise argparse.ArgumentTypeError(f"{number} answers: ask for 1 to 20")
    return number


def _date_arg(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (write YYYY-MM-DD)") from None


def cmd_timeline(args) -> int:
    from retrieval.question import BadQuestion

    from bot.render_text import render_timeline

    engine = _engine(_settings(), case=args.case)
    try:
        events = engine.timeline(query=args.query, since=args.since, until=args.until)
    except BadQuestion as exc:
        _err(str(exc))
        return EXIT_BAD_INPUT
    if args.json:
        _print_json({"events": [e.to_json() for e in events]})
    else:
        print(render_timeline(events))
    return EXIT_OK


def cmd_sources(args) -> int:
    from bot.render_text import render_sources

    engine = _engine(_settings(), case=args.case)
    sources = engine.sources()
    if args.json:
        _print_json({"sources": [s.to_json() for s in sources]})
    else:
        print(render_sources(sources))
    return EXIT_OK


def cmd_reindex(args) -> int:
    """One case with --case, else every case in turn (each with its own index)."""
    from bot.cli_cases import choose_case, registry
    from bot.progress import TerminalProgress
    from bot.render_text import render_summary

    settings = _settings()
    reg = registry(settings)
    if args.case is None and len(reg.names()) > 1:
        results, code = {}, EXIT_OK
        for name in reg.names():
            print(f"case {name}:", file=sys.stderr, flush=True)
            args.case = name
            code = max(code, _reindex_one(args, reg, render=False, results=results))
        if args.json:
            _print_json({"cases": results})
        else:
            print("\n".join(f"{name}: {render_summary(s)}" for name, s in results.items()))
        return code
    return _reindex_one(args, reg)


def _reindex_one(args, reg, *, render: bool = True, results: dict | None = None) -> int:
    from retrieval.indexer import NoArticles

    from bot.cli_cases import choose_case
    from bot.progress import TerminalProgress
    from bot.render_text import QUEUED_NOTE, render_summary

    name, engine = choose_case(reg, args.case)
    progress = TerminalProgress()
    try:
        # Behind a reindex already running (the bot's, another `casebot reindex`): queue, as admin actions do.
        summary = engine.reindex(progress, wait=True, on_queued=lambda: _err(QUEUED_NOTE))
    except (FileNotFoundError, NoArticles) as exc:
        _err(str(exc))
        return EXIT_INDEX
    except OSError as exc:
        _err(f"reindex failed, the previous index is still in service: {exc}")
        return EXIT_INDEX
    finally:
        progress.close()
    if results is not None:
        results[name] = summary.to_json() if args.json else summary
    if not render:
        return EXIT_OK
    if args.json:
        _print_json(summary.to_json())
    else:
        print(render_summary(summary))
    return EXIT_OK


def cmd_import(args) -> int:
    from retrieval.ingest.errors import ArticleError
    from retrieval.ingest.importer import import_article

    settings = _settings()
    out_dir = Path(args.out) if args.out else settings.corpus_dir
    try:
        target = import_article(Path(args.file), out_dir, title=args.title, source=args.source, url=args.url,
                                published=args.published, author=args.author, name=args.name,
                                overwrite=args.force, max_bytes=settings.max_file_bytes)
    except FileNotFoundError:
        _err(f"no such file: {args.file}")
        return EXIT_BAD_INPUT
    except ArticleError as exc:
        _err(f"{args.file}: {exc}")
        return EXIT_BAD_INPUT
    print(f"wrote {target}; run `casebot reindex` to add it to the index")
    return EXIT_OK


def cmd_console(args) -> int:
    from bot.console import run_console

    from bot.console_cases import ConsoleSession
    from bot.cli_cases import registry

    settings = _settings()
    reg = registry(settings)
    case = getattr(args, "case", None)
    if case is None and len(reg.names()) > 1:
        case = reg.names()[0]  # the console can switch later (/case NAME); it says which one it is in
    engine = _engine(settings, case=case, reg=reg)
    session = ConsoleSession(reg, reg.resolve(case)[0], engine)
    return run_console(engine, session=session)


def cmd_run(args) -> int:
    from bot.runner import run_bot, wait_for_stop

    try:
        code = run_bot(_settings())
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    if code in (EXIT_BAD_INPUT, EXIT_INDEX) and getattr(args, "wait_on_error", False):
        # Under a restart policy that restarts on any exit (Docker's unless-stopped), exiting would only start
        # the same failure again: stay stopped, with the message above in the log, until stopped.
        wait_for_stop("not started; waiting to be stopped (fix the setting above, then restart casebot).")
    return code


def cmd_start(args) -> int:
    settings = _settings()
    if settings.discord_token is None:
        if not sys.stdin.isatty():
            # A container or service with no token and no terminal: the console would just see end of input.
            _err("no Discord token: set CASEBOT_DISCORD_TOKEN to run the bot "
                 "(or run `casebot console` in a terminal).")
            return EXIT_BAD_INPUT
        print("No Discord token configured (CASEBOT_DISCORD_TOKEN): starting the local console.", file=sys.stderr)
        return cmd_console(args)
    return cmd_run(args)


def cmd_health(args) -> int:
    """For container health checks: the index in service opens and passes its checksums; no model is loaded."""
    from retrieval.backends import case_settings, open_index
    from retrieval.manifest import IndexProblem

    from bot.cli_cases import registry

    settings = _settings()
    from bot.render_text import count_noun

    reg = registry(settings)
    for info in reg.cases:  # every case's index must open
        try:
            index = open_index(case_settings(settings, info))
        except IndexProblem as exc:
            _err(f"unhealthy: {exc}" + (f" (case {info.name})" if len(reg.names()) > 1 else ""))
            return 1
        prefix = f"{info.name}: " if len(reg.names()) > 1 else ""
        print(f"{prefix}ok: {count_noun(index.manifest.documents, 'document')}, "
              f"{count_noun(index.manifest.sentences, 'sentence')}")
    return EXIT_OK


def cmd_feedback(args) -> int:
    """`feedback export`: votes as eval questions (JSONL on stdout or --out) and a review list (--review);
    `feedback stats`: counts and the questions most voted against. Reads the store only; no model, no index."""
    from retrieval.feedback import FeedbackStore, export, render_stats, stats

    settings = _settings()
    voted = FeedbackStore(settings.index_dir).voted(case=args.case, since=args.since)
    if args.feedback_command == "stats":
        print(render_stats(stats(voted)))
        return EXIT_OK
    result = export(voted)
    lines = "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in result.questions)
    if args.out:
        Path(args.out).write_text(lines, encoding="utf-8")
        _err(f"wrote {len(result.questions)} question(s) to {args.out}")
    else:
        sys.stdout.write(lines)
    if args.review:
        Path(args.review).write_text(json.dumps({"review": result.review}, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
        _err(f"wrote {len(result.review)} question(s) to review to {args.review}")
    elif result.review:
        _err(f"{len(result.review)} question(s) voted wrong or disputed need an editor: "
             "add --review FILE to write them with what was quoted")
    return EXIT_OK


def cmd_bench(args) -> int:
    from benchmarks.cli import main as bench_main

    return bench_main(args.bench_args)


def build_parser() -> argparse.ArgumentParser:
    from bot.cli_cases import add_case_option
    from bot.cli_cases import add_parsers as add_case_parsers

    p = argparse.ArgumentParser(prog="casebot", description="Answer questions about a case with cited, verbatim "
                                "sentences from the article corpus.")
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens (to stderr)")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("ask", help="answer a question with quoted, cited sentences")
    a.add_argument("question", help="the question, or - to read one question per line from standard input")
    a.add_argument("-k", type=_count_arg, default=None, help="how many answers at most, 1 to 20 (default 3)")
    a.add_argument("--json", action="store_true", help="one JSON object per question")
    add_case_option(a)
    a.set_defaults(func=cmd_ask)

    t = sub.add_parser("timeline", help="the dated events of the case")
    t.add_argument("--json", action="store_true")
    t.add_argument("--query", help="only events about this topic, e.g. 'Grok images'")
    t.add_argument("--since", type=_date_arg, help="from this date (YYYY-MM-DD)")
    t.add_argument("--until", type=_date_arg, help="up to this date (YYYY-MM-DD)")
    add_case_option(t)
    t.set_defaults(func=cmd_timeline)

    s = sub.add_parser("sources", help="the articles in the index")
    s.add_argument("--json", action="store_true")
    add_case_option(s)
    s.set_defaults(func=cmd_sources)

    r = sub.add_parser("reindex", help="rebuild the index from the corpus folder (incremental)")
    r.add_argument("--json", action="store_true")
    add_case_option(r)
    r.set_defaults(func=cmd_reindex)

    i = sub.add_parser("import", help="convert a raw article (.txt or .html) into the corpus format")
    i.add_argument("file")
    i.add_argument("--title")
    i.add_argument("--source", help="the outlet, e.g. 'The Independent'")
    i.add_argument("--url")
    i.add_argument("--published", help="publication date YYYY-MM-DD (a .txt 'date' line also sets it)")
    i.add_argument("--author")
    i.add_argument("--name", help="file name in the corpus (default: the source file's name)")
    i.add_argument("--out", help="corpus folder to write to (default: CASEBOT_CORPUS_DIR)")
    i.add_argument("--force", action="store_true", help="replace an existing file")
    i.set_defaults(func=cmd_import)

    c = sub.add_parser("console", help="the bot's commands in a local terminal session")
    add_case_option(c)
    c.set_defaults(func=cmd_console)
    add_case_parsers(sub, _settings)
    b = sub.add_parser("run", help="start the Discord bot (needs CASEBOT_DISCORD_TOKEN)")
    b.add_argument("--wait-on-error", action="store_true",
                   help="after a setting, folder or model error, wait to be stopped instead of exiting (for "
                   "containers restarted on any exit)")
    b.set_defaults(func=cmd_run)
    st = sub.add_parser("start", help="the Discord bot when a token is configured, else the console")
    st.set_defaults(func=cmd_start)
    h = sub.add_parser("health", help="exit 0 when the index in service is readable (for health checks)")
    h.set_defaults(func=cmd_health)
    fb = sub.add_parser("feedback", help="reporters' votes on answers: export them as eval questions, or stats")
    fb_sub = fb.add_subparsers(dest="feedback_command", required=True)
    fe = fb_sub.add_parser("export", help="votes as eval questions (JSONL, the format of tests/eval)")
    fe.add_argument("--out", help="write the questions to this file (default: standard output)")
    fe.add_argument("--review", help="write the answers voted wrong or disputed, with their quotes, to this file")
    fs = fb_sub.add_parser("stats", help="vote counts and the questions most voted against")
    for fp in (fe, fs):
        fp.add_argument("--case", help="only this case's votes")
        fp.add_argument("--since", type=_date_arg, help="only votes cast on or after this date (YYYY-MM-DD)")
    fb.set_defaults(func=cmd_feedback)

    bn = sub.add_parser("bench", help="measure speed and memory against the raw model (writes BENCHMARKS.md)",
                        add_help=False)
    bn.add_argument("bench_args", nargs=argparse.REMAINDER, help="options of the benchmark (see casebot bench --help)")
    bn.set_defaults(func=cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:
        # argparse's REMAINDER drops options like --sizes; the benchmark parses its own arguments.
        from benchmarks.cli import main as bench_main

        return bench_main(argv[1:])
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage error (exit 2) or the help (exit 0)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("sentence_transformers", "transformers", "bm25s", "faiss"):
        logging.getLogger(noisy).setLevel(logging.WARNING if not args.verbose else logging.INFO)
    try:
        return args.func(args)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
