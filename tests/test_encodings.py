"""Article files in legacy encodings: decoded by their BOM, their declared charset, or detection; binary refused."""
import codecs
import os

import pytest
from hypothesis import HealthCheck, assume, given, settings as hsettings, strategies as st

from retrieval.engine import CaseEngine
from retrieval.ingest.decode import decode_article, declared_charset
from retrieval.ingest.errors import ArticleError
from retrieval.ingest.importer import import_article
from retrieval.ingest.loader import read_article, scan_corpus

from .conftest import make_settings

FRENCH = ("Les enquêteurs ont perquisitionné mardi les locaux de la société à Paris, a déclaré le parquet. "
          "Élodie Lefèvre, la juge d’instruction, a convoqué le président « dès que possible » pour un coût de 5 €.")


def _page(charset_tag: str, body: str = FRENCH) -> str:
    return (f"<!DOCTYPE html><html><head>{charset_tag}<title>Perquisition à Paris</title></head><body><article>"
            f"<h1>Perquisition à Paris</h1><p>{body}</p><p>Le procès s’ouvrira en été, selon le tribunal.</p>"
            "</article></body></html>")


@pytest.mark.parametrize("tag, codec", [
    ('<meta charset="windows-1252">', "cp1252"),
    ("<meta charset=iso-8859-1>", "cp1252"),  # WHATWG reads latin-1 labels as windows-1252
    ('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15">', "iso8859-15"),
    ('<meta http-equiv="content-type" content="text/html;charset=windows-1252" />', "cp1252"),
])
def test_html_in_a_declared_legacy_charset_keeps_its_accents(tag, codec):
    page = _page(tag) if codec != "iso8859-15" else _page(tag).replace("’", "'")  # latin-9 has no curly quote
    raw = page.encode(codec)
    assert declared_charset(raw) == codecs.lookup(codec).name
    assert decode_article(raw, kind="html") == page


def test_xml_declaration_is_read():
    raw = ('<?xml version="1.0" encoding="windows-1252"?>\n' + _page("")).encode("cp1252")
    assert declared_charset(raw) == "cp1252"
    assert FRENCH in decode_article(raw, kind="html")


@pytest.mark.parametrize("text", [
    FRENCH,
    "Müller sagte, die Straße zur Börse sei gesperrt worden, und der Präsident äußerte sich nicht.",
    "Café au lait.",
    "El juez señaló que la compañía había pagado 3 millones de euros en España.",
])
def test_latin1_text_without_declaration_is_detected(text):
    assert decode_article(text.encode("latin-1") if all(ord(c) < 256 for c in text) else text.encode("cp1252")) \
        == text


@pytest.mark.parametrize("codec, bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
                                        ("utf-8", codecs.BOM_UTF8), ("utf-32-le", codecs.BOM_UTF32_LE)])
def test_byte_order_mark_decides(codec, bom):
    assert decode_article(bom + FRENCH.encode(codec)) == FRENCH


def test_mislabelled_page_is_read_by_what_its_bytes_are():
    # Declares UTF-8 but was saved in windows-1252; and the reverse, declares latin-1 but was saved as UTF-8.
    assert FRENCH in decode_article(_page('<meta charset="utf-8">').encode("cp1252"), kind="html")
    assert FRENCH in decode_article(_page('<meta charset="iso-8859-1">').encode("utf-8"), kind="html")


@pytest.mark.parametrize("raw, why", [
    (b"PK\x03\x04" + bytes(range(256)) * 4, "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(64), "binary"),
    (bytes(range(1, 32)) * 40, "binary"),
    (codecs.BOM_UTF16_LE + b"\x00\xd8A", "not valid UTF-16-LE"),
])
def test_binary_junk_is_refused_with_a_reason(raw, why):
    with pytest.raises(ArticleError, match=why):
        decode_article(raw)


def test_legacy_files_are_indexed_by_the_loader_and_the_importer(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "paris.html").write_bytes(_page('<meta charset="windows-1252">').encode("cp1252"))
    (corpus / "notes.txt").write_bytes(f"date 2026-02-03\ntitle: Perquisition\n\n{FRENCH}\n".encode("latin-1", "replace"))
    (corpus / "junk.txt").write_bytes(b"\x00\x01\x02" * 100)
    scan = scan_corpus(corpus)
    assert sorted(a.path for a in scan.articles) == ["notes.txt", "paris.html"]
    assert [s.path for s in scan.skipped] == ["junk.txt"] and "binary" in scan.skipped[0].reason
    html = next(a for a in scan.articles if a.path == "paris.html")
    assert any("Élodie Lefèvre" in p for p in html.paragraphs)
    out = import_article(corpus / "paris.html", tmp_path / "imported")
    assert "Élodie Lefèvre, la juge d’instruction" in out.read_text(encoding="utf-8")
    assert read_article(out, tmp_path / "imported", max_bytes=10**6).title == "Perquisition à Paris"


def test_windows_1252_page_is_quoted_with_its_accents(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = ("Investigating magistrate Élodie Lefèvre has summoned the chief executive of Société Générale to appear "
            "in Paris on 20 April, prosecutors said. The bank’s lawyers declined to comment on the summons.")
    (corpus / "paris.html").write_bytes(_page('<meta charset="windows-1252">', body).encode("cp1252"))
    engine = CaseEngine(make_settings(corpus, tmp_path / "index"), embedder=embedder)
    summary = engine.reindex()
    assert summary.skipped == [] and summary.documents == 1
    result = engine.ask("Which magistrate summoned the chief executive of Societe Generale?")
    assert result.answered
    assert result.answers[0].text.startswith("Investigating magistrate Élodie Lefèvre has summoned")


# Single-byte charsets newsrooms save in; their printable letters beyond ASCII.
_LEGACY = ["cp1252", "iso8859-15", "cp1250", "iso8859-2", "cp1251", "koi8-r", "iso8859-7", "mac-roman"]


def _letters(codec: str) -> list[str]:
    out = []
    for b in range(0x20, 0x100):
        try:
            ch = bytes([b]).decode(codec)
        except UnicodeDecodeError:
            continue
        if ch.isprintable() and ch not in "<>&\"'":
            out.append(ch)
    return out


@st.composite
def legacy_pages(draw):
    codec = draw(st.sampled_from(_LEGACY))
    text = draw(st.text(alphabet=st.sampled_from(_letters(codec) + [" "] * 10), min_size=1, max_size=300))
    tag = draw(st.sampled_from(['<meta charset="{}">', "<meta charset={}>",
                                '<meta http-equiv="Content-Type" content="text/html; charset={}">']))
    raw = ("<html><head>" + tag.format(codec) + "</head><body><p>" + text + "</p></body></html>").encode(codec)
    return codec, text, raw


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(legacy_pages())
def test_text_in_a_declared_legacy_charset_round_trips(example):
    """Any text a declared single-byte charset can hold comes back exactly; the one documented exception is
    bytes that also form valid multi-byte UTF-8, which are read as UTF-8 (see retrieval.ingest.decode)."""
    codec, text, raw = example
    try:
        raw.decode("utf-8")
        assume(raw.isascii())
    except UnicodeDecodeError:
        pass
    assert "<p>" + text + "</p>" in decode_article(raw, kind="html")
