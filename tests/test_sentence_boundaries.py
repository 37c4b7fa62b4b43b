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


# An abbreviated month before a day, whatever follows the day's digits (a suffix, a range), does not end the
# sentence; where the sentence really ends after the day, it still ends.
MONTH_BEFORE_DAY = [
    "Hearings run Oct. 26-28 in Paris, the court said.",
    "The EU opened proceedings on Jan. 26th, 2026, after months of talks.",
    "The deadline is Sept. 30th, the regulator said.",
    "Talks are set for Nov. 3–5 in Brussels.",
    "The raid on Dec. 1st was condemned by the company.",
    "Filings were due Feb. 2/3 at the latest.",
    "The hearing was moved to Aug. 14th at the request of the defence.",
    "The board meets OCT. 26-28, the filing says.",
    "The hearing was moved to Oct. 14 at the request of the defence.",
    "The summons, dated Feb. 4, asks Musk to appear in April.",
]
MONTH_SPLITS_KEPT = [
    ("Prosecutors opened the inquiry on Oct. 3. The company denied wrongdoing.",
     ["Prosecutors opened the inquiry on Oct. 3.", "The company denied wrongdoing."]),
    ("The fine was announced on Dec. 5th. It is the largest yet.",
     ["The fine was announced on Dec. 5th.", "It is the largest yet."]),
    ("Hearings ran Nov. 3-5. Nobody was charged.", ["Hearings ran Nov. 3-5.", "Nobody was charged."]),
]

# A dateline or byline opening the paragraph is not part of the first sentence (nor a sentence of its own): the
# quote starts with the story's words.
LEADS = [
    ("PARIS, Feb 4 (Continental Wire) - French judicial authorities have summoned Elon Musk to appear in April.",
     ["French judicial authorities have summoned Elon Musk to appear in April."]),
    ("LONDON (Reuters) — Britain's media regulator opened an investigation into X on Monday. It did not say more.",
     ["Britain's media regulator opened an investigation into X on Monday.", "It did not say more."]),
    ("PARIS (AP) — Paris prosecutors raided the offices of X on Tuesday.",
     ["Paris prosecutors raided the offices of X on Tuesday."]),
    ("BRUSSELS, Jan. 26 (Reuters) - The European Commission opened an investigation into Grok.",
     ["The European Commission opened an investigation into Grok."]),
    ("WASHINGTON, Oct. 14 (AP) -- Federal regulators grounded the planes. Boeing said it would comply.",
     ["Federal regulators grounded the planes.", "Boeing said it would comply."]),
    ("SAN FRANCISCO/PARIS, Feb 3 (Reuters) - French prosecutors raided X's offices.",
     ["French prosecutors raided X's offices."]),
    ("ST. LOUIS, Mo., Oct. 3 (AP) — A jury found the company liable.", ["A jury found the company liable."]),
    ("WASHINGTON, March 3, 2026 (AP) — The court ruled on Monday.", ["The court ruled on Monday."]),
    ("BRUSSELS, March 9. The Commission fined X on Monday.", ["The Commission fined X on Monday."]),
    ("Paris, 3 February 2026 — The prosecutor's office confirmed the raid.",
     ["The prosecutor's office confirmed the raid."]),
    ("(Reuters) - Britain's media regulator opened an investigation into X.",
     ["Britain's media regulator opened an investigation into X."]),
    ("PARIS, Feb 4 (Continental Wire) - “We will appeal,” X said.", ["“We will appeal,” X said."]),
    ("By Jane Doe, Staff Writer — Paris prosecutors have raided the offices of X.",
     ["Paris prosecutors have raided the offices of X."]),
    ("By Jane Doe and John Roe, Reuters — Paris prosecutors have raided the offices of X.",
     ["Paris prosecutors have raided the offices of X."]),
    ("By JANE DOE Associated Press PARIS (AP) — The offices were searched.", ["The offices were searched."]),
]

# Paragraphs that open like a dateline or byline but are sentences: kept whole.
NOT_LEADS = [
    "AI — once a niche field — is now everywhere, the report said.",
    "By Friday — the deadline set by the court — X must reply.",
    "By January 2027 — the deadline — X must reply.",
    "By Elon Musk's own account — and he has given several — the raid was political.",
    "NATO (the alliance) — which met on Monday — said nothing about X.",
    "EU — The bloc said it would act.",  # a place alone before a dash is too easily a subject
    "BRUSSELS, March 9.",  # nothing after it: the paragraph is kept
]


@pytest.mark.parametrize("paragraph", MONTH_BEFORE_DAY + NOT_LEADS)
def test_month_days_and_dateline_lookalikes_stay_whole(paragraph):
    assert split_sentences(paragraph) == [paragraph]


@pytest.mark.parametrize("paragraph, expected", MONTH_SPLITS_KEPT + LEADS)
def test_month_splits_kept_and_leads_left_out(paragraph, expected):
    assert split_sentences(paragraph) == expected


@pytest.mark.parametrize("paragraph, expected", LEADS)
def test_a_lead_is_kept_in_the_paragraph_and_sentences_stay_exact_slices(paragraph, expected):
    from retrieval.sentences import lead_end

    text = f"{paragraph} The company denied it."
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == expected + ["The company denied it."]
    lead = lead_end(text)
    assert 0 < lead == spans[0][0]
    # the lead and the sentences are the paragraph, in order, with only whitespace between
    assert (text[:lead] + "".join(text[a:b] for a, b in spans)).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("paragraph", MONTH_BEFORE_DAY + NOT_LEADS[:-1])
def test_month_days_and_lookalikes_with_neighbours(paragraph):
    text = f"Prosecutors opened the case in 2025. {paragraph} The company denied it."
    assert split_sentences(text) == ["Prosecutors opened the case in 2025.", paragraph, "The company denied it."]
