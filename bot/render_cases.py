"""Plain-text replies about cases and corpus changes, shared by the CLI, the console and Discord."""
from __future__ import annotations

from retrieval.corpus_edit import AddResult, RemoveResult


def render_cases(rows: list[dict]) -> str:
    """`rows` as `retrieval.cases.case_status` gives them."""
    if not rows:
        return "No cases: the corpus folder is empty."
    lines = [f"{len(rows)} case(s):"]
    for r in rows:
        title = f" — {r['title']}" if r["title"] != r["name"] else ""
        state = (f"{r['articles']} article(s), last reindex {r['last_reindex']}" if r["indexed"]
                 else "not indexed yet")
        lines.append(f"- {r['name']}{title}: {state}")
        if r.get("description"):
            lines.append(f"    {r['description']}")
    return "\n".join(lines)


def render_added(result: AddResult) -> str:
    verb = "Updated" if result.updated else "Added"
    when = result.published or "undated"
    lines = [f"{verb} in case {result.case}: “{result.title}” — {result.source}, {when}; "
             f"{result.sentences} sentence(s) indexed (article id {result.doc_id})."]
    if result.url:
        lines.append(f"Link: {result.url}")
    if result.first_sentence:
        lines.append(f"First sentence, to check: “{result.first_sentence}”")
    return "\n".join(lines)


def render_removed(result: RemoveResult) -> str:
    return (f"Removed “{result.title}” ({result.doc_id}) from case {result.case}: it no longer answers questions. "
            f"The file was moved to {result.moved_to} in the case folder (move it back and reindex to undo).")
