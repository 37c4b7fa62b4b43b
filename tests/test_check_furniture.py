"""The furniture check on labelled pages (`python -m retrieval.ingest.check_furniture`): it reads a checkout laid out
as trafilatura's evaluation set, keeps the English pages, and counts the article and furniture paragraphs the
classifier drops. The pages here are written for the test."""
import json

from retrieval.ingest.check_furniture import check, is_english, main

ARTICLE = [
    "Paris prosecutors searched the offices of the social network on Tuesday, seizing documents and computers.",
    "The investigation, opened in January, concerns changes made to the recommendation algorithm last year.",
    "The company said it was cooperating fully with the authorities and denied any wrongdoing.",
]
FURNITURE = ["Share this article via WhatsApp", "Sign up to our Europe newsletter"]


def _page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


def _checkout(tmp_path):
    (tmp_path / "tests" / "eval").mkdir(parents=True)
    (tmp_path / "tests" / "cache").mkdir()
    (tmp_path / "tests" / "eval" / "news.html").write_text(
        _page("Police search social network offices", [ARTICLE[0], FURNITURE[0], ARTICLE[1], ARTICLE[2], FURNITURE[1]]),
        encoding="utf-8")
    german = "Die Polizei hat am Dienstag die Büros des Netzwerks durchsucht und Unterlagen beschlagnahmt."
    (tmp_path / "tests" / "cache" / "de.html").write_text(_page("Durchsuchung", [german] * 3), encoding="utf-8")
    labels = {
        "https://news.example/search": {"file": "news.html", "with": [ARTICLE[0][:40], ARTICLE[1][:40], ARTICLE[2][:40]],
                                        "without": FURNITURE},
        "https://de.example/durchsuchung": {"file": "de.html", "with": [german], "without": []},
        "https://gone.example/page": {"file": "missing.html", "with": ARTICLE, "without": []},
    }
    (tmp_path / "tests" / "evaldata.json").write_text(json.dumps(labels), encoding="utf-8")
    return tmp_path


def test_english_pages_are_told_from_others_by_their_function_words():
    assert is_english(ARTICLE)
    assert not is_english(["Die Polizei hat am Dienstag die Büros des Netzwerks durchsucht und Unterlagen beschlagnahmt."])
    assert not is_english(["Too short to tell"])


def test_the_check_counts_labelled_paragraphs_of_english_pages_only(tmp_path):
    c = check(_checkout(tmp_path))
    assert c.pages == 1  # the German page and the missing file are skipped
    assert (c.article, c.article_dropped, c.prose, c.prose_dropped) == (3, 0, 3, 0)
    # furniture that reaches the classifier (the extractor and the anchored rules may take some first) is dropped
    assert c.furniture >= 1 and c.furniture_dropped == c.furniture


def test_the_command_prints_the_figures_and_refuses_a_folder_that_is_not_a_checkout(tmp_path, capsys):
    assert main([str(_checkout(tmp_path / "co"))]) == 0
    assert "1 English pages: article paragraphs dropped 0/3" in capsys.readouterr().out
    assert main([str(tmp_path / "elsewhere")]) == 2
    assert "evaldata.json not found" in capsys.readouterr().err
