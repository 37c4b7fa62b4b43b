"""A seeded, deterministic generator of synthetic news articles in casebot's canonical corpus format.

Article *i* depends only on (seed, i), so a corpus of N sentences is a prefix of every larger one: the
sizes of a benchmark share their articles (and their cached vectors), and "one new article" is simply the
next one in the stream. Sentences are news-like: 8 to 45 words, names, outlets, dates in the forms
reporters write, figures, and quotations with their attribution.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

FIRST = ["Anna", "Marc", "Sofia", "James", "Leila", "Tomasz", "Claire", "Omar", "Ingrid", "Rafael", "Helen", "Yusuf",
         "Margaux", "Daniel", "Priya", "Henrik", "Lucia", "Kwame", "Elena", "Pierre", "Grace", "Mateo", "Nadia",
         "Oliver", "Chiara", "Samuel", "Aiko", "Jonas", "Fatima", "Victor", "Beatrice", "Ruth", "Hugo", "Amara",
         "Felix", "Zofia", "Patrick", "Mina", "Lars", "Camille"]
LAST = ["Moreau", "Kowalski", "Okafor", "Lindqvist", "Bertrand", "Haddad", "Fischer", "Alvarez", "Nakamura",
        "O'Brien", "Rossi", "Dubois", "Petrov", "Mensah", "Van Dijk", "Schneider", "Costa", "Laurent", "Novak",
        "Eriksen", "Ferreira", "Brennan", "Sato", "Keller", "Marchetti", "Ibrahim", "Holm", "Garnier", "Weber",
        "Silva", "Dalton", "Achterberg", "Renaud", "Popescu", "Whitfield", "Adeyemi", "Lefebvre", "Varga",
        "Castellano", "Thornton"]
CO_HEAD = ["Norvane", "Halbrook", "Castell", "Veridian", "Arkwell", "Lumera", "Tessaro", "Brightmoor", "Quillon",
           "Stratum", "Meridel", "Oakhurst", "Polaris", "Sable", "Corvid", "Ferrant", "Glenmark", "Ironvale"]
CO_TAIL = ["Systems", "Energy", "Pharma", "Logistics", "Media", "Capital", "Networks", "Foods", "Motors",
           "Holdings", "Labs", "Airways"]
REGULATORS = ["the Paris prosecutor's office", "the European Commission", "the Financial Conduct Authority",
              "the competition authority", "the data protection regulator", "the public prosecutor in Milan",
              "the federal cartel office", "the Securities and Exchange Commission", "the national audit office",
              "the health and safety inspectorate", "the anti-corruption agency", "the Dutch consumer authority"]
CITIES = ["Paris", "Lyon", "Brussels", "Frankfurt", "Milan", "Madrid", "Dublin", "Amsterdam", "Lisbon", "Warsaw",
          "Vienna", "Stockholm", "London", "Geneva", "Rotterdam", "Barcelona", "Munich", "Copenhagen", "Prague",
          "Athens"]
TOPICS = [("fraud investigation", "investigation"), ("data breach", "breach"), ("antitrust probe", "probe"),
          ("bribery inquiry", "inquiry"), ("tax evasion case", "case"), ("safety review", "review"),
          ("emissions scandal", "scandal"), ("insider trading case", "case"), ("privacy complaint", "complaint"),
          ("accounting scandal", "scandal"), ("price-fixing inquiry", "inquiry"), ("recall of vehicles", "recall")]
PRODUCTS = ["payment app", "chatbot", "diesel engine", "cloud platform", "weight-loss drug", "smart meter",
            "delivery network", "social media platform", "pension fund", "baby formula", "electric scooter",
            "credit card"]
ROLES = ["chief executive", "chief financial officer", "founder", "chairman", "former compliance officer",
         "head of European operations", "general counsel"]
OUTLETS = [("The Independent", "independent.co.uk"), ("Reuters", "reuters.com"), ("The Guardian", "theguardian.com"),
           ("Le Monde", "lemonde.fr"), ("Financial Times", "ft.com"), ("Associated Press", "apnews.com"),
           ("Politico Europe", "politico.eu"), ("Deutsche Welle", "dw.com"), ("BBC News", "bbc.co.uk")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
THINGS = ["complaints", "documents", "employees", "customers", "accounts", "invoices", "emails", "devices",
          "shareholders", "contracts"]
OFF_TOPIC = ["What is the recipe for French onion soup?", "Who won the 1998 football World Cup?",
             "How tall is the Eiffel Tower?", "What is the capital of Australia?",
             "When does the next solar eclipse happen?", "How many moons does Jupiter have?",
             "Who painted the Mona Lisa?", "What is the best way to learn the violin?",
             "Where can I buy cheap train tickets to Rome?", "Why is the sky blue?"]


@dataclass(frozen=True)
class Story:
    """One storyline of the synthetic case: the cast that its articles and questions share."""

    company: str
    executive: str
    role: str
    spokesperson: str
    lawyer: str
    regulator: str
    city: str
    topic: str
    short: str
    product: str
    start: date


@dataclass(frozen=True)
class SyntheticArticle:
    index: int
    filename: str
    title: str
    source: str
    url: str
    published: date
    author: str
    paragraphs: tuple[tuple[str, ...], ...]  # sentences of each paragraph
    # For each sentence in order, "story:template": sentences sharing it differ only in names, dates and figures.
    kinds: tuple[str, ...] = ()

    @property
    def sentences(self) -> list[str]:
        return [s for p in self.paragraphs for s in p]

    @property
    def sentence_count(self) -> int:
        return sum(len(p) for p in self.paragraphs)

    def markdown(self) -> str:
        title = self.title.replace("'", "''")
        head = (f"---\ntitle: '{title}'\nsource: {self.source}\nurl: {self.url}\n"
                f"published: '{self.published.isoformat()}'\nauthor: {self.author}\n---\n\n")
        return head + "\n\n".join(" ".join(p) for p in self.paragraphs) + "\n"


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def stories(seed: int, count: int = 60) -> list[Story]:
    rng = random.Random(f"stories-{seed}")
    out = []
    companies = [f"{h} {t}" for h in CO_HEAD for t in CO_TAIL]
    rng.shuffle(companies)
    for i in range(count):
        topic, short = TOPICS[i % len(TOPICS)]
        out.append(Story(
            company=companies[i], executive=_name(rng), role=rng.choice(ROLES), spokesperson=_name(rng),
            lawyer=_name(rng), regulator=REGULATORS[(i * 5) % len(REGULATORS)], city=rng.choice(CITIES),
            topic=topic, short=short, product=rng.choice(PRODUCTS),
            start=date(2024, 1, 1) + timedelta(days=rng.randrange(0, 540)),
        ))
    return out


def _money(rng: random.Random) -> str:
    cur = rng.choice(["€", "$", "£"])
    if rng.random() < 0.5:
        return f"{cur}{rng.randrange(2, 900)} million"
    return f"{cur}{rng.randrange(1, 9)}.{rng.randrange(1, 9)} billion"


def _count(rng: random.Random) -> str:
    n = rng.choice([rng.randrange(12, 99), rng.randrange(100, 999), rng.randrange(1_000, 60_000)])
    return f"{n:,}"


def _date_phrase(rng: random.Random, when: date) -> str:
    r = rng.random()
    if r < 0.35:
        return f"on {when.day} {MONTHS[when.month - 1]}"
    if r < 0.5:
        return f"on {when.day} {MONTHS[when.month - 1]} {when.year}"
    if r < 0.65:
        return f"in {MONTHS[when.month - 1]} {when.year}"
    if r < 0.8:
        return f"on {WEEKDAYS[when.weekday()]}"
    return f"in {MONTHS[when.month - 1]}"


# Slots: {co} company, {ex} executive, {role}, {sp} spokesperson, {law} lawyer, {reg} regulator, {city},
# {topic}, {short}, {prod} product, {d} a date phrase, {d2} another, {n} a count, {things}, {money}, {who} a
# random official, {outlet}.
LEDES = [
    "{Reg} opened {a_topic} into {co} {d}, widening scrutiny of the company's {prod} after a wave of {things} from across Europe.",
    "Investigators from {reg} searched the {city} offices of {co} {d} as part of {a_topic} that has already lasted more than a year.",
    "{co}'s {role}, {ex}, has been summoned to appear before {reg} {d2}, according to a statement released {d}.",
    "{co} said {d} that it would cooperate with {reg}, which is examining whether its {prod} broke the law.",
    "Shares in {co} fell by {pct} per cent {d} after {reg} confirmed that its {topic} now covers the company's {prod}.",
]
BODY = [
    "The {short} was opened after {n} {things} were filed with {reg} between {m1} and {m2}.",
    "{Reg} said {d} that the {short} would examine how the {prod} had been marketed to {n} customers in {city} and elsewhere.",
    "{ex}, who has led {co} since {year}, has not been accused of any wrongdoing, {who} told {outlet} {d}.",
    "According to court documents seen by {outlet}, investigators seized {n} {things} during the search.",
    "The company could face a fine of up to {money} if the allegations are proven, {who}, a lawyer in {city}, said.",
    "{co} has denied any wrongdoing and said {d} that it had \"fully complied\" with all {n} requests from the authorities.",
    "A hearing has been scheduled for {d2} in {city}, where prosecutors are expected to set out their case.",
    "The {short} is being led by {who}, a senior official at {reg} who joined the authority in {year}.",
    "Earlier this year, {co} reported revenue of {money}, much of it from sales of its {prod}.",
    "Several former employees told {outlet} that concerns about the {prod} had been raised internally {d}.",
    "{reg_cap} declined to comment {d} on the timing of any charges, citing the confidentiality of the {short}, {who} said.",
    "The {prod} was withdrawn from sale in {city} {d}, pending the outcome of the {short}.",
    "Analysts at a {city} bank estimated that the {short} could cost {co} as much as {money} in lost sales.",
    "{ex} is due to give evidence to a parliamentary committee {d2}, a spokesperson for the committee said.",
    "Police officers spent more than {hours} hours at the company's headquarters {d}, witnesses said.",
    "It is the {ordinal} time in {years} years that {co} has been investigated by {reg}, according to {who}, an analyst in {city}.",
    "The European Commission is running a separate inquiry into the same {prod}, which it opened {d} after {n} {things} were reported.",
    "{co} employs {n} people across Europe, including about {n2} in {city}.",
    "Consumer groups in {city} welcomed the decision {d} and called for the {prod} to be suspended, {who} said.",
    "Lawyers for {co} said {d} that they would challenge the legality of the search in {city}, where {n} {things} were seized.",
    "The board of {co} met in emergency session {d} to discuss the {short}, two people familiar with the matter said.",
    "{who}, a professor of competition law in {city}, said the case could set a precedent for the whole sector.",
    "Documents filed in {city} show that {co} set aside {money} to cover possible penalties.",
    "The {short} follows a report by {outlet} {d} that described how the {prod} collected data from {n} users without consent.",
    "Since the {short} began, {n} customers have closed their accounts, the company said in its annual report.",
    "The deadline for {co} to respond to the allegations was extended to {d2} at the company's request.",
    "{ex} resigned from the board {d}, saying the {short} had become a distraction for the company.",
    "Regulators in at least {small} other countries have asked {reg} to share the evidence it has gathered since {m1}, {who} said.",
]
QUOTES = [
    ("\"We are cooperating fully with the authorities and are confident that the {short} will show we acted lawfully,\""
     " {sp}, a spokesperson for {co}, said {d}."),
    "\"This is a serious matter and we will follow the evidence wherever it leads,\" {who} of {reg} told reporters {d}.",
    "\"The {prod} was designed to help our {n} customers, not to mislead them,\" {ex} said in a statement {d}.",
    "{law}, a lawyer for {co}, said {d} that the allegations were \"unfounded and politically motivated\".",
    "\"We warned the company about these risks more than a year ago,\" said {who}, who heads a consumer group in {city}.",
    "\"Nobody is above the law, however large their company,\" {who} said {d}.",
    "{sp} said the company had \"nothing to hide\" and would publish the findings of an internal review {d2}.",
    "\"We have received {n} {things} and we are examining each of them carefully,\" {reg} said in a statement.",
]
TITLES = [
    "{co} faces {a_topic} over its {prod}",
    "{Reg} raids {co} offices in {city}",
    "{co} chief {ex} summoned by investigators",
    "What we know about the {topic} into {co}",
    "{co} denies wrongdoing as {short} widens",
    "Shares in {co} fall after regulators open {short}",
]
QUESTIONS = [
    "When must {ex} appear before {reg}?",
    "Who is leading the {topic} into {co}?",
    "How many {things} did {reg} receive about {co}?",
    "Where did investigators search the offices of {co}?",
    "What did {sp} say about the {short}?",
    "Why did {reg} open {a_topic} into {co}?",
    "What fine could {co} face?",
    "When was the {prod} of {co} withdrawn from sale?",
    "Who is the lawyer for {co}?",
    "How many people does {co} employ?",
    "When is the hearing in the {co} case?",
    "Did {ex} resign from the board of {co}?",
]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def _fill(template: str, rng: random.Random, story: Story, published: date, outlet: str) -> str:
    when = published - timedelta(days=rng.randrange(0, 60))
    later = published + timedelta(days=rng.randrange(7, 200))
    m1 = rng.randrange(12)
    values = {
        "co": story.company, "ex": story.executive, "role": story.role, "sp": story.spokesperson,
        "law": story.lawyer, "reg": story.regulator, "Reg": _cap(story.regulator), "reg_cap": _cap(story.regulator),
        "city": story.city, "topic": story.topic, "a_topic": ("an " if story.topic[0] in "aeiou" else "a ") + story.topic, "short": story.short, "prod": story.product,
        "d": _date_phrase(rng, when), "d2": _date_phrase(rng, later), "n": _count(rng), "n2": _count(rng),
        "things": rng.choice(THINGS), "money": _money(rng), "who": _name(rng), "outlet": outlet,
        "m1": MONTHS[m1], "m2": MONTHS[(m1 + rng.randrange(1, 6)) % 12], "year": str(rng.randrange(2008, 2022)),
        "pct": str(rng.randrange(3, 31)), "hours": str(rng.randrange(3, 14)), "years": str(rng.randrange(3, 12)),
        "ordinal": rng.choice(["second", "third", "fourth"]), "small": str(rng.randrange(2, 9)),
    }
    return template.format(**values)


def article(seed: int, index: int, cast: list[Story] | None = None) -> SyntheticArticle:
    """Article number `index` of the stream; the first len(cast) articles visit every storyline once."""
    cast = cast or stories(seed)
    rng = random.Random(f"article-{seed}-{index}")
    story_no = index if index < len(cast) else rng.randrange(len(cast))
    story = cast[story_no]
    source, domain = OUTLETS[rng.randrange(len(OUTLETS))]
    published = story.start + timedelta(days=rng.randrange(0, 400))
    n_sent = rng.randrange(8, 31)
    lede = rng.randrange(len(LEDES))
    sentences = [_fill(LEDES[lede], rng, story, published, source)]
    kinds = [f"{story_no}:L{lede}"]
    used: set[str] = set()
    while len(sentences) < n_sent:
        pool, tag = (QUOTES, "Q") if rng.random() < 0.22 else (BODY, "B")
        template = rng.choice([t for t in pool if t not in used] or pool)
        used.add(template)
        kinds.append(f"{story_no}:{tag}{pool.index(template)}")
        s = _fill(template, rng, story, published, source)
        if rng.random() < 0.25 and s.endswith("."):
            s = s[:-1] + f", {rng.choice(['according to', 'as reported by'])} {source}."
        sentences.append(s)
    paragraphs: list[tuple[str, ...]] = []
    i = 0
    while i < len(sentences):
        take = 1 if i == 0 else rng.choice([1, 2, 2, 3])
        paragraphs.append(tuple(sentences[i:i + take]))
        i += take
    title = _fill(rng.choice(TITLES), rng, story, published, source)
    slug = _slug(title)
    return SyntheticArticle(
        index=index, filename=f"{_slug(source)}-{published.isoformat()}-{index:06d}-{slug[:40]}.md", title=title,
        source=source, url=f"https://www.{domain}/news/{slug}-{index}", published=published, author=_name(rng),
        paragraphs=tuple(paragraphs), kinds=tuple(kinds),
    )


def articles_for(seed: int, sentences: int) -> list[SyntheticArticle]:
    """The shortest prefix of the stream holding at least `sentences` sentences."""
    cast = stories(seed)
    out: list[SyntheticArticle] = []
    total = 0
    while total < sentences:
        a = article(seed, len(out), cast)
        out.append(a)
        total += a.sentence_count
    return out


def write_corpus(folder: Path, items: list[SyntheticArticle]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for a in items:
        (folder / a.filename).write_text(a.markdown(), encoding="utf-8")
    return len(items)


def questions(seed: int, count: int = 220, off_topic: int = 10) -> list[str]:
    """Questions about the synthetic case from its own cast, plus a few the corpus cannot answer."""
    cast = stories(seed)
    rng = random.Random(f"questions-{seed}")
    seen: set[str] = set()
    out: list[str] = []
    on_topic = max(count - off_topic, 0)
    attempts = 0
    while len(out) < on_topic and attempts < on_topic * 50:
        attempts += 1
        story = cast[len(out) % len(cast)]
        q = _fill(rng.choice(QUESTIONS), rng, story, story.start, "")
        if q not in seen:
            seen.add(q)
            out.append(q)
    out.extend((OFF_TOPIC * (off_topic // len(OFF_TOPIC) + 1))[:off_topic])
    rng.shuffle(out)
    return out
