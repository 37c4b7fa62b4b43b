"""Sentence splitting on news text: every sentence is an exact slice of its paragraph."""
import pytest

from retrieval.sentences import split_sentences

CASES = [
    ("Paris prosecutors have raided the offices. Musk has been summoned.",
     ["Paris prosecutors have raided the offices.", "Musk has been summoned."]),
    ("“X believes that this investigation is distorting French law,” it added. “For these reasons, X has not acceded.”",
     ["“X believes that this investigation is distorting French law,” it added.", "“For these reasons, X has not acceded.”"]),
    ("Mr. Smith met Dr. Jones at 5 p.m. on Jan. 5. They spoke.",
     ["Mr. Smith met Dr. Jones at 5 p.m. on Jan. 5.", "They spoke."]),
    ("J. R. R. Tolkien wrote it. The U.S. agreed.", ["J. R. R. Tolkien wrote it.", "The U.S. agreed."]),
    ("He said: \"No.\" Then he left.", ["He said: \"No.\"", "Then he left."]),
    ("Shares fell 3.5% to $12.40 on Monday. Analysts were surprised.",
     ["Shares fell 3.5% to $12.40 on Monday.", "Analysts were surprised."]),
    ("No full stop at the end", ["No full stop at the end"]),
    ("", []),
]


@pytest.mark.parametrize("paragraph, expected", CASES)
def test_split(paragraph, expected):
    assert split_sentences(paragraph) == expected


@pytest.mark.parametrize("paragraph, _", CASES)
def test_sentences_are_slices_in_order(paragraph, _):
    cursor = 0
    for s in split_sentences(paragraph):
        at = paragraph.find(s, cursor)
        assert at >= cursor
        cursor = at + len(s)
