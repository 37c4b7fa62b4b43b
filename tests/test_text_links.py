"""Text output (`casebot ask`, the console) cites the same link as JSON and Discord: the article's URL with the text
fragment that opens the page at the quoted words, not the bare URL (reporters paste from the terminal too)."""
import json
from urllib.parse import unquote

import pytest

from bot.cli import EXIT_OK, main
from bot.console import handle

ARTICLE = """---
title: Customs seize rifles bound for Saint-Étienne
source: Continental Wire
url: https://wire.example.org/2026/03/lyon-raid?id=7&lang=en#top
published: '2026-03-02'
---

Smith & Wesson rifles, forty of them, were seized by customs officers in Lyon on Monday.

Worth €120,000, the shipment was declared as garden tools, according to the customs service.

A 34-year-old co-owner of the import firm was taken into custody in Villeurbanne.

The mayor of Saint-Étienne, Gaël Perdriau, said the city had not been told of the inquiry.
"""

# Each question's quote starts or ends with characters a text fragment must encode (`&`, `,`, `-`, non-ASCII).
QUESTIONS = [
    ("How many rifles did customs seize in Lyon?", "Smith & Wesson rifles"),
    ("What was the shipment worth?", "Worth €120,000"),
    ("Who was taken into custody?", "34-year-old co-owner"),
    ("What did the mayor of Saint-Étienne say?", "Gaël Perdriau"),
]


@pytest.fixture(scope="module")
def wire_env(tmp_path_factory):
    base = tmp_path_factory.mktemp("wire")
    (base / "corpus").mkdir()
    (base / "corpus" / "wire-2026-03-02-lyon-raid.md").write_text(ARTICLE, encoding="utf-8")
    return base


@pytest.fixture
def cli_env(wire_env, monkeypatch):
    monkeypatch.setenv("CASEBOT_CORPUS_DIR", str(wire_env / "corpus"))
    monkeypatch.setenv("CASEBOT_INDEX_DIR", str(wire_env / "index"))
    monkeypatch.chdir(wire_env)  # no stray .env is read
    return wire_env


def _ask(capsys, *argv) -> str:
    assert main(["ask", *argv]) == EXIT_OK
    return capsys.readouterr().out


def _links_in_text(text: str) -> list[str]:
    return [line.rsplit("<", 1)[1].rstrip(">") for line in text.splitlines() if line.lstrip().startswith("— ")]


@pytest.mark.parametrize("question, words", QUESTIONS)
def test_cli_text_cites_the_json_link(cli_env, capsys, question, words):
    answer = json.loads(_ask(capsys, question, "--json", "-k", "1"))["answers"][0]
    assert words in answer["text"]
    link = answer["citation"]["link"]
    assert link.startswith("https://wire.example.org/2026/03/lyon-raid?id=7&lang=en#top:~:text=")
    # the fragment holds the quote's own words, with the characters that delimit a directive encoded
    fragment = link.split(":~:text=", 1)[1]
    assert not set("&- ") & set(fragment) and all(ord(ch) < 128 for ch in fragment)
    assert answer["text"].startswith(unquote(fragment.split(",")[0]))

    text = _ask(capsys, question, "-k", "1")
    assert words in text.replace("\n  > ", " ")
    assert _links_in_text(text) == [link]


@pytest.mark.parametrize("question, words", QUESTIONS)
def test_console_answer_cites_the_json_link(cli_env, capsys, question, words):
    from retrieval.engine import CaseEngine
    from bot.settings import BotSettings

    answer = json.loads(_ask(capsys, question, "--json", "-k", "1"))["answers"][0]
    engine = CaseEngine(BotSettings(_env_file=None))
    reply = handle(engine, f'/ask question:"{question}" count:1')
    assert words in reply.replace("\n  > ", " ")
    assert _links_in_text(reply) == [answer["citation"]["link"]]


def test_the_questions_cover_every_character_a_fragment_encodes(cli_env, capsys):
    links = [json.loads(_ask(capsys, q, "--json", "-k", "1"))["answers"][0]["citation"]["link"] for q, _ in QUESTIONS]
    fragments = "".join(link.split(":~:text=", 1)[1] for link in links)
    for encoded in ("%26", "%2C", "%2D", "%C3%89", "%E2%82%AC"):  # & , - É €
        assert encoded in fragments, encoded
