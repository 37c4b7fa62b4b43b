"""Issue 12 end to end: the right date for each kind of expression, page furniture never an event, and one line
per happening across outlets while distinct happenings of the same day stay apart."""
from datetime import date

import pytest

from retrieval.engine import CaseEngine


def _write(corpus, name, source, published, paragraphs):
    (corpus / f"{name}.md").write_text(
        f"---\ntitle: {name}\nsource: {source}\npublished: '{published}'\n---\n\n" + "\n\n".join(paragraphs) + "\n",
        encoding="utf-8")


def _engine(settings, embedder, articles):
    for old in settings.corpus_dir.rglob("*.md"):
        old.unlink()
    for name, (source, published, paragraphs) in articles.items():
        _write(settings.corpus_dir, name, source, published, paragraphs)
    engine = CaseEngine(settings, embedder=embedder)
    engine.reindex()
    return engine


RAID_DAY = {
    "one": ("Outlet One", "2026-02-03", [
        "French prosecutors raided the Paris offices of X on Tuesday as part of a cybercrime investigation.",
        "Musk and Linda Yaccarino have been summoned to appear for interviews on 20 April.",
        "Separately, France's media regulator Arcom said on Tuesday that it had opened its own review of Grok's image tools."]),
    "two": ("Outlet Two", "2026-02-03", [
        "Police searched the Paris premises of Elon Musk's platform X on Tuesday, the prosecutor's office said.",
        "The prosecutor's office said Musk had been called to a voluntary interview on 20 April."]),
    "three": ("Outlet Three", "2026-02-04", [
        "Investigators raided X's office in Paris on Tuesday in a probe into its algorithm and the Grok chatbot.",
        "Arcom, the audiovisual regulator, announced on Tuesday a separate review of the Grok chatbot."]),
    "four": ("Outlet Four", "2026-02-04", [
        "X called Tuesday's raid an abusive act of law enforcement theatre.",
        "The raid on X's French offices on Tuesday was carried out by the cybercrime unit of the Paris prosecutor's office."]),
}

FINE_DAY = {
    "north": ("North Post", "2023-05-22", [
        "Ireland's data protection regulator fined Meta €1.2 billion on Monday for sending European users' data to the United States.",
        "Meta said on Monday that it would appeal the decision and seek a stay of the orders."]),
    "south": ("South Times", "2023-05-23", [
        "Meta was hit with a record €1.2bn fine by the Irish Data Protection Commission on Monday over its transfers of Facebook data to the U.S.",
        "Meta said on Monday it would appeal against the ruling in the courts."]),
    "east": ("East Wire", "2023-05-23", [
        "The Irish regulator on Monday imposed a €1.2bn penalty on Meta for moving Facebook users' data to America.",
        "On Monday, the European Data Protection Board also published its binding decision on the dispute."]),
}


def _lines(events, day):
    return [e for e in events if e.date == day]


def test_one_line_per_happening_on_the_raid_day(settings, embedder):
    events = _engine(settings, embedder, RAID_DAY).timeline()
    day = _lines(events, "2026-02-03")
    raid = [e for e in day if "raid" in e.text.lower() or "searched" in e.text]
    # The raid: one line, quoting a sentence that states it with its date, earliest publication first; the
    # company's reaction to "Tuesday's raid" is another happening.
    stated = [e for e in raid if "called Tuesday's raid" not in e.text]
    assert len(stated) == 1
    assert stated[0].citation.published == "2026-02-03"
    assert {stated[0].citation.source, *(c.source for c in stated[0].also)} == {
        "Outlet One", "Outlet Two", "Outlet Three", "Outlet Four"}
    assert [c.published for c in stated[0].also] == sorted(c.published for c in stated[0].also)
    # The regulator's separate review: its own line, both outlets cited.
    arcom = [e for e in day if "Arcom" in e.text]
    assert len(arcom) == 1 and len(arcom[0].also) == 1
    # The summons: one line on its own date.
    summons = _lines(events, "2026-04-20")
    assert len(summons) == 1 and len(summons[0].also) == 1
    assert len(day) <= 3


def test_the_fine_and_the_appeal_on_one_day_stay_two_lines(settings, embedder):
    events = _engine(settings, embedder, FINE_DAY).timeline()
    day = _lines(events, "2023-05-22")
    fine = [e for e in day if "1.2" in e.text]
    assert len(fine) == 1 and len(fine[0].also) == 2
    assert fine[0].citation.source == "North Post"  # the earliest publication states it with its date
    appeal = [e for e in day if "appeal" in e.text or "challenge" in e.text]
    assert len(appeal) == 1 and {appeal[0].citation.source, *(c.source for c in appeal[0].also)} == {
        "North Post", "South Times"}
    board = [e for e in day if "Data Protection Board" in e.text]
    assert len(board) == 1 and not board[0].also
    assert len(day) == 3


ISSUE_ARTICLES = {
    "feb": ("Wire", "2026-02-04", [
        "PARIS, Feb 4 (Wire) - Musk and Yaccarino were asked to attend interviews with prosecutors on April 20.",
        "The hearing will be held on 20 April.",
        "The findings will be made public in May.",
        "Witnesses will be heard in the week of May 11-15, 2026.",
        "The prosecutor wrote to the company on March 3, 2024, asking for a reply by March 10.",
        "BRUSSELS, March 9.",
        "9 March 2026, 10:05 GMT",
        "Published 2 March 2026 · Updated 9 March 2026"]),
    "audit": ("Ledger", "2023-05-10", [
        "The audit covered the months from March to August 2019.",
        "Those deadlines run from the notification earlier this month, which puts the first of them in October."]),
    "june": ("Gazette", "2025-06-25", [
        "In June last year, the board sanctioned the company for sharing details of the investigation."]),
    "jan": ("Daily", "2024-01-08", [
        "Its chief executive has called a companywide meeting on safety for Tuesday."]),
}


def test_issue_examples_have_their_dates_in_the_timeline(settings, embedder):
    events = _engine(settings, embedder, ISSUE_ARTICLES).timeline()
    got = {(e.date, e.end) for e in events}
    by_text = {}
    for e in events:
        by_text.setdefault(e.text, []).append((e.date, e.end))
    assert ("2026-04-20", None) in got  # asked to attend / will be held: the coming April, not last year's
    assert by_text["The findings will be made public in May."] == [("2026-05", None)]
    assert by_text["Witnesses will be heard in the week of May 11-15, 2026."] == [("2026-05-11", "2026-05-15")]
    assert by_text["The prosecutor wrote to the company on March 3, 2024, asking for a reply by March 10."] == [
        ("2024-03-03", None), ("2024-03-10", None)]
    assert by_text["The audit covered the months from March to August 2019."] == [("2019-03", "2019-08")]
    assert ("2023-10", None) in by_text[
        "Those deadlines run from the notification earlier this month, which puts the first of them in October."]
    assert [d for t, ds in by_text.items() if t.startswith("In June last year") for d in ds] == [("2024-06", None)]
    assert [d for t, ds in by_text.items() if t.startswith("Its chief executive") for d in ds] == [("2024-01-09", None)]
    # Furniture and datelines are never events.
    assert not [e for e in events if e.text.startswith(("BRUSSELS", "9 March 2026", "Published"))]
    assert all(e.date != "2026-02-04" for e in events)  # the wire's dateline is not an event
    dates = [e.date for e in events]
    assert dates == sorted(dates)


def test_range_is_kept_by_since_and_until_over_its_whole_span(settings, embedder):
    engine = _engine(settings, embedder, ISSUE_ARTICLES)
    inside = engine.timeline(since=date(2019, 6, 1), until=date(2019, 6, 30))
    assert [(e.date, e.end) for e in inside] == [("2019-03", "2019-08")]
    assert engine.timeline(since=date(2019, 9, 1), until=date(2019, 12, 31)) == []
    json_event = inside[0].to_json()
    assert json_event["date"] == "2019-03" and json_event["end"] == "2019-08"
