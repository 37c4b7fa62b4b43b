"""Check the furniture filter on labelled real pages: `python -m retrieval.ingest.check_furniture CHECKOUT`.

CHECKOUT is a local copy of trafilatura's repository (github.com/adbar/trafilatura). Its evaluation set,
`tests/evaldata.json` with the pages in `tests/eval/` and `tests/cache/`, labels ~1,000 real pages from many
outlets with snippets of the article ("with") and of the page's boilerplate ("without"). For the English pages (at
least ENGLISH_SHARE of the "with" words are common English function words), each paragraph casebot's HTML parser
keeps (the anchored boilerplate rules applied, the classifier not yet) is labelled article text when it holds a
"with" snippet, furniture when it holds a "without" one; the check prints how many of each the classifier drops.
The pages' text belongs to their outlets: casebot does not ship them, and its fit does not see them, so this is a
check on pages the classifier was not fitted on.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ENGLISH_SHARE = 0.12  # share of function words in English prose is ~0.4; other languages' "the" or "in" are rare
MIN_WORDS = 8
_FUNCTION = re.compile(r"\b(?:the|and|of|to|was|is|in|that)\b", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


@dataclass
class Check:
    """Counts over the labelled paragraphs of the pages read."""

    pages: int = 0
    article: int = 0
    article_dropped: int = 0
    prose: int = 0  # article paragraphs of 12 words or more that end a sentence
    prose_dropped: int = 0
    furniture: int = 0
    furniture_dropped: int = 0


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def is_english(snippets: list[str]) -> bool:
    text = " ".join(snippets)
    words = text.split()
    return len(words) >= MIN_WORDS and len(_FUNCTION.findall(text)) >= ENGLISH_SHARE * len(words)


def check(checkout: Path, *, show: bool = False) -> Check:
    """Reads `checkout`/tests/evaldata.json and its pages. Raises FileNotFoundError without evaldata.json."""
    from retrieval.ingest.boilerplate import strip_boilerplate
    from retrieval.ingest.decode import decode_article
    from retrieval.ingest.errors import ArticleError
    from retrieval.ingest.furniture import is_furniture
    from retrieval.ingest.loader import parse_article_text

    labels = json.loads((checkout / "tests" / "evaldata.json").read_text(encoding="utf-8"))
    out = Check()
    for entry in labels.values():
        with_, without = entry.get("with", []), entry.get("without", [])
        page = next((p for p in (checkout / "tests" / "eval" / entry["file"], checkout / "tests" / "cache" / entry["file"])
                     if p.is_file()), None)
        if page is None or not is_english(with_):
            continue
        try:
            parsed = parse_article_text(decode_article(page.read_bytes(), kind="html"), "html", page, furniture=False)
        except ArticleError:
            continue
        out.pages += 1
        for paragraph in strip_boilerplate(parsed.paragraphs):
            text = _norm(paragraph)
            dropped = is_furniture(paragraph, parsed.title)
            if any(_norm(s) in text for s in with_):
                out.article += 1
                out.article_dropped += dropped
                if len(text.split()) >= 12 and text[-1:] in ".!?\"”":
                    out.prose += 1
                    out.prose_dropped += dropped
                if dropped and show:
                    print(f"  article dropped: {paragraph[:110]}")
            elif any(_norm(s) in text for s in without):
                out.furniture += 1
                out.furniture_dropped += dropped
                if not dropped and show:
                    print(f"  furniture kept:  {paragraph[:110]}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkout", type=Path, help="a local copy of github.com/adbar/trafilatura")
    ap.add_argument("--show", action="store_true", help="print each wrong decision")
    args = ap.parse_args(argv)
    try:
        c = check(args.checkout, show=args.show)
    except FileNotFoundError as e:
        print(f"error: {e.filename} not found: give a checkout of trafilatura's repository", file=sys.stderr)
        return 2
    print(f"{c.pages} English pages: article paragraphs dropped {c.article_dropped}/{c.article}, of them prose "
          f"(12 words or more, ending a sentence) {c.prose_dropped}/{c.prose}; furniture paragraphs dropped "
          f"{c.furniture_dropped}/{c.furniture}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
