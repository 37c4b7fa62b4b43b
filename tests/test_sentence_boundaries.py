"""Sentence boundaries in news text (issue 11 item 8), by kind: each list holds paragraphs that are ONE sentence,
or paragraphs with the exact sentences expected. Every sentence stays an exact slice of its paragraph."""
import pytest

from retrieval.sentences import sentence_spans, split_sentences

# An abbreviation before a capitalised word (a time of day, a company suffix, a title, a number sign, a street)
# does not end the sentence.
ONE_SENTENCE_ABBREVIATIONS = [
    "Investigators will question the director at 10 a.m. Thursday in Paris, prosecutors said.",
    "The hearing opens at 9.30 a.m. Monday at the Palais de Justice, the court said.",
    "The jury retired at 4 p.m. Friday without reaching a verdict.",
    "Flights resumed at 6 a.m. Eastern time after the outage, the airline said.",
    "The statement was released at 11 p.m. Paris time on Tuesday.",
    "Shares of Northwind Corp. Fell 4% in early trading after the ruling.".replace("Fell", "fell"),
    "Lawyers for Acme Corp. Chief Executive Jane Doe said she would appear voluntarily.",
    "A spokesman for Brightline Inc. Europe said the fine would be appealed.",
    "Widgets Ltd. Managing Director Paul Grant declined to comment on the inquiry.",
    "The filing lists Harbor Holdings Co. Ltd. As the parent company.".replace("As", "as"),
    "The bill, known as Proposition No. 5 in the ballot, was rejected by voters.",
    "Residents of 10 Downing St. London were told nothing of the plan.".replace("London", "in London"),
    "The rally at St. Mary's Church drew hundreds of protesters on Sunday.",
    "Gen. Mark Milley told the committee the withdrawal had been chaotic.",
    "Sen. Elizabeth Warren wrote to the chief executive asking for the documents.",
    "Mr. Musk and Ms. Yaccarino were summoned to appear on April 20, prosecutors said.",
    "Dr. Lena Fischer, a data-protection expert, said the fine was the largest yet.",
    "The agency approved the inspection process on Jan. 24 and flights resumed that week.",
    "The plant in Renton, Wash., builds the 737 MAX, according to the company.",
]

# Where a sentence really ends after an abbreviation, it still ends.
SPLITS_KEPT = [
    ("The raid began at 9 a.m. The prosecutors left at noon.",
     ["The raid began at 9 a.m.", "The prosecutors left at noon."]),
    ("The fine was paid by Northwind Corp. It did not admit wrongdoing.",
     ["The fine was paid by Northwind Corp.", "It did not admit wrongdoing."]),
    ("Mr. Smith met Dr. Jones at 5 p.m. on Jan. 5. They spoke.",
     ["Mr. Smith met Dr. Jones at 5 p.m. on Jan. 5.", "They spoke."]),
    ("The U.S. Justice Department said it would respond. Officials declined to comment.",
     ["The U.S. Justice Department said it would respond.", "Officials declined to comment."]),
]

# A quoted question or exclamation with its attribution after it is one sentence, whatever quote marks.
QUOTE_WITH_ATTRIBUTION = [
    '"Why would a platform refuse to hand over its algorithm?" Magistrate Claire Dubois asked on Monday.',
    "“Why would a platform refuse to hand over its algorithm?” Magistrate Claire Dubois asked on Monday.",
    "“Who will pay for this?” Transport Secretary Louise Haigh asked in the Commons.",
    "“This is a scandal!” Labour MP Kevin Brennan said outside the inquiry.",
    "‘Where were the regulators?’ Judge Peter Fraser wrote in his ruling.",
    '"Is anyone accountable?" Alan Bates told reporters after the hearing.',
    "“Did the board know?” EU Commissioner Thierry Breton asked in a post on X.",
    "“Why now?” she asked.",
]

# Clauses joined by a semicolon are one sentence.
SEMICOLON = [
    "The decision covers only Facebook; Instagram and WhatsApp are outside its scope.",
    "Three directors resigned; a fourth is expected to leave in March, the company said.",
    "The court upheld the fine; the company said it would appeal to the Supreme Court.",
]

# Quotes and sentences that must stay apart.
STAY_APART = [
    ('"We will appeal," he said. "This is not over."', ['"We will appeal," he said.', '"This is not over."']),
    ('He said: "We will appeal." The company declined to comment.',
     ['He said: "We will appeal."', "The company declined to comment."]),
    ("“Why now?” The question hung over the hearing. Nobody answered.",
     ["“Why now?”", "The question hung over the hearing.", "Nobody answered."]),
    ("Was the fine enough? Critics say no.", ["Was the fine enough?", "Critics say no."]),
]


@pytest.mark.parametrize("paragraph", ONE_SENTENCE_ABBREVIATIONS + QUOTE_WITH_ATTRIBUTION + SEMICOLON)
def test_one_sentence(paragraph):
    assert split_sentences(paragraph) == [paragraph]


@pytest.mark.parametrize("paragraph, expected", SPLITS_KEPT + STAY_APART)
def test_sentences_that_end_still_end(paragraph, expected):
    assert split_sentences(paragraph) == expected


@pytest.mark.parametrize("paragraph", [p for p in ONE_SENTENCE_ABBREVIATIONS + QUOTE_WITH_ATTRIBUTION]
                         + [p for p, _ in SPLITS_KEPT + STAY_APART])
def test_in_a_paragraph_with_neighbours_every_sentence_is_an_exact_slice(paragraph):
    text = f"Prosecutors opened the case in 2025.  {paragraph} The company denied it."
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == split_sentences(text)
    assert split_sentences(text)[0] == "Prosecutors opened the case in 2025."
    assert split_sentences(text)[-1] == "The company denied it."
    # every non-space character belongs to exactly one sentence, in order
    assert "".join(text[a:b] for a, b in spans).replace(" ", "") == text.replace(" ", "")
