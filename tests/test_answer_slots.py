"""Answer slots (retrieval/answer_signals.py): what a sentence offers as the answer a question's type asks for.

A date is written like a name ("Monday", "April") or a count ("2024"), so without the temporal tagger's spans a
sentence with only a date looked like it named a person or gave a number: "who ruled?" was drawn to "the ruling
is due on Monday", "how many jobs?" to "the plant opened in 2004".
"""
from __future__ import annotations

from datetime import date

import pytest

from retrieval.answer_signals import type_match
from retrieval.features import date_match
from retrieval.lexical import tokenize
from retrieval.question import QuestionType, parse_question
from retrieval.store import date_not_before
from retrieval.temporal import tag_dates


def slot(question: str, sentence: str) -> float:
    """The answer slot `sentence` offers `question`, as the ask path reads it (tagged dates, counted noun, head)."""
    q = parse_question(question)
    spans = [(d.start, d.end) for d in tag_dates(sentence, date(2026, 3, 2))]
    return type_match(q.kind, sentence, list(tokenize(q.text)), spans, q.counted, q.head)


@pytest.mark.parametrize("question, sentence", [
    ("Who will rule on the appeal?", "A ruling on the appeal is expected on Monday."),
    ("Who signed the decree?", "The decree was signed in April and takes effect in June."),
    ("Who chaired the hearing?", "The hearing was adjourned until Thursday, March 12."),
    ("How many jobs did the plant add?", "The plant opened in 2004 and was expanded in 2019."),
    ("How many times did the board meet?", "The board met on March 3, 2026, and again in May."),
    ("Where was the door plug found?", "The door plug was found on Sunday, investigators said."),
    ("Where will the hearing be held?", "The hearing will be held in March, the court said."),
    ("Where did the talks take place?", "The talks took place from Monday to Wednesday."),
])
def test_a_date_is_not_a_name_a_place_nor_a_count(question, sentence):
    assert slot(question, sentence) == 0.0


@pytest.mark.parametrize("question, sentence", [
    ("Who will rule on the appeal?", "Judge Claire Dubois will rule on the appeal on Monday."),
    ("Who signed the decree?", "President Aline Morel signed the decree in April."),
    ("How many jobs did the plant add?", "The plant added 400 jobs in 2019."),
    ("How many times did the board meet?", "The board met four times in May."),
    ("Where was the door plug found?", "The door plug was found on Sunday in Portland, investigators said."),
    ("Where will the hearing be held?", "The hearing will be held in March at Southwark Crown Court."),
])
def test_a_name_place_or_count_beside_a_date_still_answers(question, sentence):
    assert slot(question, sentence) == 1.0


@pytest.mark.parametrize("question", [
    "Where does the criminal case against Boeing stand now?",
    "Where do the talks stand?",
    "where does the inquiry stand after the ruling",
    "Where do things stand with the merger review?",
])
def test_where_does_it_stand_asks_how_things_stand_not_for_a_place(question):
    q = parse_question(question)
    assert q.kind is not QuestionType.WHERE
    assert q.about_now


@pytest.mark.parametrize("question", ["Where was the door plug found?", "Where will Musk appear?",
                                      "Where did the standoff take place?"])
def test_where_questions_still_ask_for_a_place(question):
    assert parse_question(question).kind is QuestionType.WHERE


@pytest.mark.parametrize("question", [
    "When will the court rule on the appeal?", "When must Musk appear?", "By when must the company reply?",
    "When is the trial due to start?", "When are the results expected?", "When is the vote scheduled?",
    "Until when will the offer stay open?", "When is the next hearing?", "when will they pay??",
    "When's the verdict expected?", "when’s the trial due to start?",
])
def test_a_when_question_about_what_is_to_come_asks_ahead(question):
    q = parse_question(question)
    assert q.kind is QuestionType.WHEN and q.ahead


@pytest.mark.parametrize("question", [
    "When did the court rule on the appeal?", "When was the trial due to start?", "When was Musk summoned?",
    "When does the trial start?", "When has the company paid fines before?", "Who will rule on the appeal?",
    "What will the court decide next?", "How much will the company pay?", "When's the trial?",
])
def test_questions_about_the_past_or_without_a_when_do_not_ask_ahead(question):
    assert not parse_question(question).ahead


@pytest.mark.parametrize("value, until, day, expected", [
    ("2026-04", None, "2026-02-03", True),  # a later month
    ("2026-02", None, "2026-02-28", True),  # the month is not over
    ("2026-02-27", None, "2026-02-28", False),
    ("2026-02-28", None, "2026-02-28", True),  # the day itself
    ("2026", None, "2026-12-31", True),
    ("2025", None, "2026-01-05", False),
    ("2025-12-20", "2026-01-10", "2026-01-05", True),  # a range still running
    ("2025-11", "2025-12", "2026-01-05", False),
])
def test_a_date_is_not_before_a_day_at_its_own_precision(value, until, day, expected):
    assert date_not_before(value, until, day) is expected


@pytest.mark.parametrize("question, dates", [
    ("How much was Meta fined in January 2023?", (("2023-01", None),)),
    ("What happened on February 3, 2026?", (("2026-02-03", None),)),
    ("What did the court decide in 2019?", (("2019", None),)),
    ("What was agreed between May 11 and 15, 2026?", (("2026-05-11", "2026-05-15"),)),
    # No year written: the month or day of any year, ISO 8601's "--MM" and "--MM-DD".
    ("What did X say in July?", (("--07", None),)),
    ("What happened to the director on 3 February?", (("--02-03", None),)),
    ("Who won the June elections?", (("--06", None),)),
    # Relative to the day of asking, which says nothing of the corpus's days: none.
    ("What did prosecutors do on Tuesday?", ()),
    ("What happened last year?", ()),
    ("What did the court rule yesterday?", ()),
    ("When must Musk appear?", ()),
    ("What did Theresa May say?", ()),
])
def test_a_question_names_the_dates_it_writes(question, dates):
    q = parse_question(question)
    assert q.dates == dates
    assert len(q.date_text) == len(dates) and all(text in question for text in q.date_text)


@pytest.mark.parametrize("named, sentence_dates, expected", [
    ([("2023-01", None)], [("2023-01-16", None)], 1.0),  # a day in the month asked about
    ([("2023-01", None)], [("2023-05", None)], -1.0),  # a twin of another month
    ([("2023-01", None)], [("2022-11", None), ("2023", None)], 1.0),  # one date is enough; a year holds the month
    ([("2025-07", None)], [("2024-07", None)], -1.0),  # the same month of another year
    ([("2023", None)], [("2022-12-20", "2023-01-10")], 1.0),  # a range running into the year
    ([("2026-05-11", "2026-05-15")], [("2026-05-13", None)], 1.0),  # inside a range asked about
    ([("--07", None)], [("2025-07-08", None)], 1.0),  # July of no stated year: any July
    ([("--07", None)], [("2025-08", None)], -1.0),
    ([("--07", None)], [("2025", None)], -1.0),  # a bare year says nothing of July
    ([("--02-03", None)], [("2026-02-03", None)], 1.0),
    ([("--02-03", None)], [("2026-02", None)], 1.0),  # February holds its 3rd
    ([("--02-03", None)], [("2026-02-04", None)], -1.0),
    ([("2023-01", None)], [], 0.0),  # a sentence without dates
    ([], [("2023-05", None)], 0.0),  # a question without dates
])
def test_a_sentence_date_falls_in_the_date_asked_about_at_the_coarser_precision(named, sentence_dates, expected):
    assert date_match(named, sentence_dates) == expected


# "Which/what NOUN" questions name what they ask for with a noun; its WordNet class types them (noun_types).
@pytest.mark.parametrize("question, kind", [
    ("Which judge sentenced the company?", QuestionType.WHO),
    ("Which judges sat on the appeal panel?", QuestionType.WHO),  # "sat" is a past form, not Saturday
    ("Which team won the final?", QuestionType.WHO),  # "won" is a past form, not the currency
    ("Which senior US official attacked the decision?", QuestionType.WHO),  # capitalised "US" modifies
    ("Which EU commissioner presented the penalty?", QuestionType.WHO),
    ("Which French politician tried to annul the deal?", QuestionType.WHO),
    ("Which actor played the postmaster in the drama?", QuestionType.WHO),
    ("Which criminal gang carried out the attack?", QuestionType.WHO),
    ("which academic warned about phishing", QuestionType.WHO),
    ("What salary was the chief executive paid?", QuestionType.HOW_MUCH),
    ("What ransom did the hackers demand?", QuestionType.HOW_MUCH),
    ("What was the ransom the hackers demanded?", QuestionType.HOW_MUCH),
    ("What compensation will the victims get?", QuestionType.HOW_MUCH),
    ("In which month did the deadline fall?", QuestionType.WHEN),
    ("By what date must the regulator decide?", QuestionType.WHEN),
    ("From what date can she compete again?", QuestionType.WHEN),
    ("In which city will the trial be held?", QuestionType.WHERE),
    ("Which town was evacuated?", QuestionType.WHERE),
])
def test_a_which_or_what_question_is_typed_by_its_head_noun(question, kind):
    assert parse_question(question).kind is kind


@pytest.mark.parametrize("question", [
    "What did the judge say about the fine?",  # the noun after the verb is not what is asked for
    "What can Brussels do if X ignores the orders?",
    "What is the most recent step the EU has taken?",
    "What monthly output ceiling did the regulator set?",  # a ceiling is no person, place, sum or date
    "What offence did the planemaker admit?",
    "What records was the company told to keep?",
    "Which newspaper's investigation brought the company down?",  # the head is the investigation
    "What happened in court on Tuesday?",
    "What is the maximum sentence Ollin faces?",  # "faces" is Ollin's verb, not the head
])
def test_a_which_or_what_question_without_a_typed_head_noun_stays_untyped(question):
    assert parse_question(question).kind is QuestionType.OTHER


def test_a_head_noun_question_gets_the_slot_of_its_type():
    assert slot("Which judge sentenced the company?", "Judge Anna Moreau sentenced the company on Friday.") == 1.0
    assert slot("What salary was the chief executive paid?",
                "The chief executive was paid a salary of £450,000 last year.") == 1.0
    assert slot("What salary was the chief executive paid?",
                "The chief executive said on Tuesday that she would step down.") == 0.0


# "How many NOUN": a number of other things (WordNet classes of the two nouns, usual senses) is no count of them.
@pytest.mark.parametrize("question, sentence", [
    ("How many viewers watched the drama?", "The drama went out on four consecutive nights in January."),
    ("How many European users had their data sent to the US?", "The framework was adopted two months later."),
    ("How many people were arrested after the raid?", "The raid lasted three hours, police said."),
    ("How many jobs will the merger cut?", "The merger will take eight weeks to complete."),
    ("How many passengers were on board?", "The plane climbed to 16,000 feet before the panel blew out."),
])
def test_a_count_of_other_things_does_not_answer_how_many(question, sentence):
    assert slot(question, sentence) == 0.0


@pytest.mark.parametrize("question, sentence", [
    ("How many viewers watched the drama?", "The drama was watched by 9 million viewers."),
    # people and suspects count alike
    ("How many people were arrested after the raid?", "Police arrested 12 suspects after the raid."),
    ("How many claimants joined the action?", "In all, 555 sub-postmasters joined the action."),  # unknown noun
    ("How many MAX 9s were grounded?", "The regulator grounded 171 of the jets."),  # a name counts anything
    ("How many staff were laid off?", "The company laid off 2 million workers."),  # past the number word
    ("How many times did the board meet?", "The board met four times in May."),
    ("How many jobs will the merger cut?", "The merger will cut 400 jobs."),
    ("How many workers will lose their jobs?", "The mill will shut with the loss of 250 jobs."),  # the question's noun
])
def test_a_count_of_the_things_asked_about_answers_how_many(question, sentence):
    assert slot(question, sentence) > 0.0


@pytest.mark.parametrize("question, counted", [
    ("How many European Facebook users had their data sent?", "person"),  # names before the noun are skipped
    ("How many people were arrested?", "group"),
    ("how many times did they meet", "time"),
    ("How many were arrested?", None),  # no noun: any count
    ("How many MAX 9s were grounded?", None),
])
def test_how_many_knows_the_noun_it_counts(question, counted):
    q = parse_question(question)
    assert (q.counted[0] if q.counted else None) == counted


# "Which judge/actor/official": a person is asked for; an institution's, a place's or a thing's name is no answer.
@pytest.mark.parametrize("question, sentence", [
    ("Which judge will hear the appeal?", "The company can appeal to the Court of Justice within two months."),
    ("Which judge will hear the appeal?", "The appeal was lodged in Dublin on Friday."),
    ("Which official approved the merger?", "The merger was approved by the European Data Protection Board."),
    ("Which actor played the postmaster?", "The drama was shown by the broadcaster on the Post Office scandal."),
    ("Which lawyer represents the airline?", "Alaska Airlines said it would cooperate fully."),
])
def test_a_name_of_an_institution_or_place_does_not_answer_which_person(question, sentence):
    assert slot(question, sentence) == 0.0


@pytest.mark.parametrize("question, sentence", [
    ("Which judge will hear the appeal?", "Judge Anna Moreau will hear the appeal."),
    ("Which judge found the system unreliable?", "Mr Justice Fraser found the system was not robust."),
    ("Which businessman was summoned?", "Elon Musk was summoned to appear in April."),  # "musk" is no institution
    ("Which politician pledged a new law?", "Prime Minister Rishi Sunak pledged a new law."),
    ("Which regulator opened the inquiry?", "The Data Protection Commission opened the inquiry."),  # not a person
])
def test_a_person_s_name_still_answers_which_person(question, sentence):
    assert slot(question, sentence) > 0.0


@pytest.mark.parametrize("question, head", [
    ("Which judge will hear the appeal?", "person"), ("Which criminal gang carried out the attack?", "group"),
    ("Who will hear the appeal?", None), ("Which regulators opened investigations?", "artifact"),
])
def test_a_who_question_knows_the_class_of_what_it_asks_for(question, head):
    assert parse_question(question).head == head


# "How much": a sum has a currency or a per cent; a bare large number of something else is a count.
@pytest.mark.parametrize("sentence, amount", [
    ("The breach exposed 2 million patients' records.", False),
    ("About 3 million passengers flew with the airline last year.", False),
    ("The trust was fined £2 million on Friday.", True),
    ("The fine was 3 million, the regulator said.", True),  # the phrase ends at the comma
    ("The plan costs 40 million euros.", True),
    ("Prices rose by 5% in March.", True),
])
def test_a_bare_count_is_no_amount(sentence, amount):
    assert (slot("How much was the company fined?", sentence) > 0.0) is amount


def test_a_count_ends_at_its_clause():
    # "12" is followed by a comma: "the regulator" is not what was counted
    assert slot("How many people were arrested?", "Police arrested 12, the regulator said.") > 0.0


@pytest.mark.parametrize("sentence, cause", [
    ("The NTSB sanctioned Boeing for sharing details of the investigation with reporters.", True),
    ("Regulators fined the trust for mishandling patient records.", True),
    ("The club was docked points for fielding an ineligible player.", True),
    ("The company was fined for failing to report the leak.", True),
    ("The watchdog criticised the bank for not warning customers.", True),
    ("The company was fined on Friday.", False),
    ("The company paid for nothing, the report said.", False),
    ("The board met in the morning.", False),
])
def test_for_before_a_gerund_gives_the_cause(sentence, cause):
    # Any gerund after "for" states why: a list of breach verbs missed "for sharing", "for fielding"
    assert (slot("Why was the company punished?", sentence) > 0.0) is cause


@pytest.mark.parametrize("question", [
    "How long did Meta get to stop the transfers?",
    "How much time was X given to fix the badges?",
    "For how long was the web shop shut?",
    "how long did he get in jail",
    "How much more time does the company have?",
])
def test_how_long_asks_for_a_duration(question):
    # Typed as "how much" these wanted a sum; untyped they wanted nothing
    assert parse_question(question).kind is QuestionType.HOW_LONG


def test_how_long_ago_asks_for_a_date():
    assert parse_question("How long ago was the fine imposed?").kind is QuestionType.WHEN


@pytest.mark.parametrize("sentence, duration", [
    ("X now has 60 working days to tell the Commission how it will fix the badges.", True),
    ("The company took its online shop offline for two days.", True),
    ("He was sentenced to nine years in prison on Wednesday.", True),
    ("She ran the Post Office from 2012 to 2019.", True),
    ("The athlete is serving a four-year ban.", True),
    ("The inquiry is expected to complete its work within a year.", True),
    ("Officers searched the offices in raids that lasted most of the day.", True),
    ("The company was fined €5 million on Friday.", False),  # a sum, a date, a count, nothing
    ("The shop reopened two years ago.", False),
    ("The web shop was shut after the attack, the chain said.", False),
    ("More than 900 people were prosecuted.", False),
])
def test_a_duration_answers_how_long(sentence, duration):
    assert (slot("How long did it last?", sentence) > 0.0) is duration
