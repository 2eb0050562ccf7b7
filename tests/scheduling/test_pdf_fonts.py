"""A document takes DejaVu from the fonts this process parsed once (``_add_parsed_font``), and is
then exactly the document fpdf's own ``add_font`` makes: same bytes, one after another."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdf
import pytest
from fpdf import FPDF

from scheduling.pdf import FAMILY, FONT_FILES, ConfidentialDocument

PRINTED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _document(
    *, parsed: bool, monkeypatch: pytest.MonkeyPatch, marking: str
) -> ConfidentialDocument:
    with monkeypatch.context() as patch:
        if not parsed:
            patch.setattr(
                ConfidentialDocument,
                "_add_parsed_font",
                lambda doc, style: FPDF.add_font(doc, FAMILY, style, str(FONT_FILES[style])),
            )
        doc = ConfidentialDocument(title="Agenda", marking=marking, printed_at=PRINTED_AT)
    doc.doc_title("Casusoverleg: één casus, Ĳsbrand Çelik")
    doc.para("Afspraak: de wijkagent belt school en huisarts ‘vóór’ vrijdag — €0,00.", bold=True)
    doc.fact("Wanneer", "1 dec. 2026 09:30–10:00")
    doc.bullets(["eerste stap", "tweede stap ẞ ñ ø"])
    return doc


def test_a_document_with_the_parsed_fonts_is_the_one_add_font_makes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    marking = "Vertrouwelijk: afgedrukt voor Zoë de Vries"
    theirs = _document(parsed=False, monkeypatch=monkeypatch, marking=marking).pdf_bytes()
    ours = _document(parsed=True, monkeypatch=monkeypatch, marking=marking).pdf_bytes()
    # A document between them that uses other characters must not leak into the next subset.
    other = _document(parsed=True, monkeypatch=monkeypatch, marking="ΑΒΓ Ω ж Ш ©®").pdf_bytes()
    again = _document(parsed=True, monkeypatch=monkeypatch, marking=marking).pdf_bytes()

    assert ours == theirs
    assert again == theirs
    assert other != theirs
    text = pypdf.PdfReader(io.BytesIO(ours)).pages[0].extract_text()
    assert "Ĳsbrand Çelik" in text and "Zoë de Vries" in text


def test_two_documents_share_nothing_that_output_writes_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Web threads print at once: what fpdf's output changes of a font must be each document's
    own (the metrics it only reads may be shared)."""
    first = _document(parsed=True, monkeypatch=monkeypatch, marking="een")
    second = _document(parsed=True, monkeypatch=monkeypatch, marking="twee")
    for key, font in first.fonts.items():
        theirs = second.fonts[key]
        for name in ("ttfont", "desc", "subset", "missing_glyphs"):
            assert getattr(font, name) is not getattr(theirs, name), (key, name)
        assert font.cw is theirs.cw  # read only, parsed once
