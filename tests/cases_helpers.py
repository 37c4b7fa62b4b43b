"""A corpus folder with two cases, for the cases, add/remove, CLI and Discord tests."""
from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import CORPUS

PARIS = "x-paris-probe"
BOEING = "boeing-door-plug"
MUSK_QUESTION = "When must Musk appear?"
MUSK_QUOTE = "summoned by prosecutors to appear in April"

BOEING_ARTICLE = """---
title: Door plug blew out because bolts were missing, safety board says
source: The Aviation Desk
url: https://aviation.example.org/2024/02/door-plug-bolts
published: '2024-02-06'
---

A door plug blew out of an Alaska Airlines Boeing 737 Max 9 on 5 January shortly after take-off from Portland.

Four bolts meant to hold the panel in place were missing when the plane left the Boeing factory in Renton, the National Transportation Safety Board said on Tuesday.

The Federal Aviation Administration grounded 171 aircraft of the same type while inspections were carried out.
"""

BOEING_SECOND = """---
title: Regulator caps Boeing 737 Max output after door plug audit
source: Plane Talk Weekly
url: https://planetalk.example.net/news/737-cap
published: '2024-03-04'
---

The Federal Aviation Administration said on Monday that Boeing may not raise production of the 737 Max until quality problems are fixed.

An audit of the factory found dozens of problems in manufacturing quality control, the regulator said.
"""


def write_two_cases(root: Path) -> Path:
    """corpus/x-paris-probe (the bundled article, with a case.yaml) and corpus/boeing-door-plug (two
    articles on an unrelated case). Returns the corpus folder."""
    corpus = root / "corpus"
    paris = corpus / PARIS
    shutil.copytree(CORPUS, paris)
    (paris / "case.yaml").write_text("name: X in Paris\ndescription: The Paris prosecutors' probe of X\n",
                                     encoding="utf-8")
    boeing = corpus / BOEING
    boeing.mkdir(parents=True)
    (boeing / "aviation-door-plug.md").write_text(BOEING_ARTICLE, encoding="utf-8")
    (boeing / "planetalk-cap.md").write_text(BOEING_SECOND, encoding="utf-8")
    return corpus
