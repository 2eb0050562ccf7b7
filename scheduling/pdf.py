"""PDF documents for print: the meeting pack and the minutes, as a reader may see them.

fpdf2 is pure Python (no system libraries); the text is set in DejaVu Sans, shipped in
``scheduling/fonts`` (the PDF core fonts know only Latin-1), so every name and Dutch accent
renders. Every page carries the confidentiality marking with the reader's name and the time of
printing, and its number.
"""

from __future__ import annotations

import copy
import functools
import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fontTools import ttLib
from fpdf import FPDF, XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont

from scheduling.selectors.packs import MeetingPack, MinutesPrint, PackSlot

# fontTools reports every glyph of every font subset at INFO: dozens of lines per document.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
FONT_FILES = {"": FONTS / "DejaVuSans.ttf", "B": FONTS / "DejaVuSans-Bold.ttf"}
TEXT_SIZE = 10
LINE = 5.2
# Tables of DejaVu that no subset keeps: fpdf's output drops these (and more) from every font it
# embeds, and fontTools' subsetter drops "kern" where "GPOS" is. Taken out before subsetting, they
# are not read: the subsetter decompiled the layout tables (GSUB, GPOS) only to find them dropped
# (a two-page document: 76 ms instead of 82). The document is the same, byte for byte
# (test_pdf_fonts holds it to fpdf's add_font).
NEVER_EMBEDDED = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "kern")


@functools.cache
def _parsed_font(style: str) -> TTFFont:
    """DejaVu Sans in *style* ("" or "B"), parsed once a process (see ``_add_parsed_font``)."""
    return TTFFont(FPDF(), FONT_FILES[style], f"{FAMILY.lower()}{style}", style)


def local_datetime(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def local_date(day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def local_time(moment: datetime) -> str:
    return formats.time_format(timezone.localtime(moment), "TIME_FORMAT")


def confidential_marking(reader_name: str, printed_at: datetime) -> str:
    return _("Confidential: printed for %(reader)s on %(when)s") % {
        "reader": reader_name,
        "when": local_datetime(printed_at),
    }


class ConfidentialDocument(FPDF):
    """A4 portrait; the marking heads every page, the page number closes it."""

    def __init__(self, *, title: str, marking: str, printed_at: datetime) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.marking = marking
        for style in FONT_FILES:
            self._add_parsed_font(style)
        self.set_title(title)
        self.set_creation_date(printed_at)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)
        self.add_page()

    def _add_parsed_font(self, style: str) -> None:
        """``add_font(FAMILY, style, FONT_FILES[style])``, from the font as this process parsed it
        once: reading DejaVu's character map and the width of each of its 6,000 characters took
        40 ms of a document's 85. The parsed metrics are shared, read only; what a document
        changes is its own: the fontTools font (subsetting on output cuts it down in place, so
        each document opens the file afresh, lazily, and subsetting reads what it needs: a
        document now takes some 68 ms), the font descriptor (output writes its object number
        and embedded file into it, and web threads print at once), the subset of characters
        used, and the font's number.
        ``test_a_document_with_the_parsed_fonts_is_the_one_add_font_makes`` holds this to
        fpdf's own ``add_font``, byte for byte."""
        font = copy.copy(_parsed_font(style))
        font.i = len(self.fonts) + 1
        font.fontkey = f"{FAMILY.lower()}{style}"
        font.ttfont = ttLib.TTFont(font.ttffile, recalcTimestamp=False, lazy=True)
        for tag in NEVER_EMBEDDED:
            if tag in font.ttfont:
                del font.ttfont[tag]
        font.desc = copy.copy(font.desc)  # output numbers it and names its embedded file
        font.subset = SubsetMap(font)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font._hbfont = None
        self.fonts[font.fontkey] = font

    def header(self) -> None:
        self.set_font(FAMILY, "B", 8.5)
        self.set_text_color(140, 0, 0)
        self.multi_cell(0, 4.5, self.marking, border="B", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        page = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 5, page, align="C")

    # --- building blocks ------------------------------------------------------------------------

    def doc_title(self, text: str) -> None:
        self.set_font(FAMILY, "B", 15)
        self.multi_cell(0, 7.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def heading(self, text: str, size: float = 12) -> None:
        if self.will_page_break(22):  # keep a heading with the first lines under it
            self.add_page()
        self.ln(2)
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def para(self, text: str, *, bold: bool = False) -> None:
        self.set_font(FAMILY, "B" if bold else "", TEXT_SIZE)
        self.multi_cell(0, LINE, text or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def fact(self, label: str, value: str) -> None:
        self.set_font(FAMILY, "B", TEXT_SIZE)
        self.cell(48, LINE, label)
        self.set_font(FAMILY, "", TEXT_SIZE)
        self.multi_cell(0, LINE, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def bullets(self, lines: list[str]) -> None:
        self.set_font(FAMILY, "", TEXT_SIZE)
        for line in lines:
            self.cell(5, LINE, "•")
            self.multi_cell(0, LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def rule(self) -> None:
        self.ln(2)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)

    def pdf_bytes(self) -> bytes:
        return bytes(self.output())


def _meeting_facts(doc: ConfidentialDocument, meeting: Any) -> None:
    doc.fact(
        _("When"),
        f"{local_datetime(meeting.starts_at)}–{local_time(meeting.ends_at)}",
    )
    if meeting.place:
        doc.fact(_("Place"), meeting.place)
    if meeting.online_link:
        doc.fact(_("Online"), meeting.online_link)


def slot_time(slot_item: Any) -> str:
    return f"{local_time(slot_item.starts_at)}–{local_time(slot_item.ends_at)}"


def _meeting_document(
    title_format: str, meeting: Any, reader_name: str, printed_at: Any
) -> ConfidentialDocument:
    """A confidential document for *meeting*: its title (*title_format* with the meeting's kind
    and day), every page marked for the reader, and the meeting's facts."""
    title = title_format % {
        "meeting": meeting.get_kind_display(),
        "day": local_date(timezone.localtime(meeting.starts_at).date()),
    }
    doc = ConfidentialDocument(
        title=title,
        marking=confidential_marking(reader_name, printed_at),
        printed_at=printed_at,
    )
    doc.doc_title(title)
    _meeting_facts(doc, meeting)
    return doc


def meeting_pack_pdf(pack: MeetingPack) -> bytes:
    doc = _meeting_document(
        _("Meeting pack: %(meeting)s, %(day)s"), pack.meeting, pack.reader_name, pack.printed_at
    )
    if not pack.slots:
        doc.ln(3)
        doc.para(_("No cases on this agenda that you may see."))
    for slot in pack.slots:
        doc.rule()
        _pack_slot(doc, slot)
    return doc.pdf_bytes()


def _pack_slot(doc: ConfidentialDocument, slot: PackSlot) -> None:
    item = slot.item
    doc.heading(f"{slot_time(item)}  {item.case.reference}")
    doc.fact(_("Reason"), str(item.get_reason_display()))
    if item.deadline:
        doc.fact(_("Information deadline"), local_datetime(item.deadline))
    doc.fact(_("Invited"), ", ".join(o.name for o in slot.invited) or "—")
    if not slot.full:
        doc.para(_("Process only: you read this case at level 1, without its content."))
        return
    doc.heading(_("Contributions"), 10.5)
    _contributions(doc, slot.contributions)
    doc.heading(_("Open agreements"), 10.5)
    doc.bullets(
        [
            _("%(owner)s, due %(due)s: %(text)s")
            % {
                "owner": a.agreement.owner_organisation.name,
                "due": local_date(a.agreement.due_date),
                "text": a.description,
            }
            for a in slot.open_agreements
        ]
        or [_("No open agreements.")]
    )
    doc.heading(_("Decisions of the last minutes"), 10.5)
    if slot.last_minutes is None:
        doc.para(_("No published minutes yet."))
    else:
        doc.para(
            _("Meeting of %(day)s")
            % {"day": local_datetime(slot.last_minutes.item.meeting.starts_at)}
        )
        doc.para(slot.last_decisions)
    doc.heading(_("Latest Signs of Safety readings"), 10.5)
    if slot.readings is None:
        doc.para(_("No readings yet."))
    else:
        doc.bullets(
            [
                _("%(label)s: %(value)d on %(date)s")
                % {"label": s.label, "value": s.latest.value, "date": local_date(s.latest.on)}
                for s in slot.readings.series
            ]
        )
        if slot.readings.latest_spread is not None:
            doc.para(_("Perspectives differ by %(n)d points.") % {"n": slot.readings.latest_spread})


def _contributions(doc: ConfidentialDocument, contributions: list[Any]) -> None:
    if not contributions:
        doc.para(_("None yet."))
    for view in contributions:
        draft = "" if view.is_submitted else f" ({_('draft, not submitted')})"
        doc.para(f"{view.organisation.name}{draft}", bold=True)
        for label, text in (
            (_("What we know since the last meeting"), view.known_since),
            (_("Our current involvement"), view.involvement),
            (_("Risks and concerns"), view.risks),
            (_("Proposals"), view.proposals),
        ):
            doc.para(f"{label}: {text or '—'}")


def minutes_pdf(printed: MinutesPrint) -> bytes:
    meeting = printed.meeting
    doc = _meeting_document(
        _("Minutes: %(meeting)s, %(day)s"), meeting, printed.reader_name, printed.printed_at
    )
    if meeting.minutes_published_at is None:
        doc.para(_("Draft: the participants see these minutes once they are published."), bold=True)
    doc.fact(
        _("Confidentiality"),
        _("The confidentiality statement was read at the start.")
        if meeting.confidentiality_read_at
        else _("The confidentiality statement has not been recorded as read."),
    )
    if not printed.views:
        doc.ln(3)
        doc.para(_("No minutes that you may read."))
    for view in printed.views:
        doc.rule()
        _minutes_slot(doc, view)
    return doc.pdf_bytes()


def _minutes_slot(doc: ConfidentialDocument, view: Any) -> None:
    doc.heading(f"{slot_time(view.item)}  {view.item.case.reference}")
    doc.fact(
        _("Attendance"),
        ", ".join(f"{a.organisation.name}: {a.get_status_display()}" for a in view.attendance)
        or _("No attendance recorded."),
    )
    minutes = view.minutes
    if minutes is None:
        doc.para(_("No minutes recorded."))
    elif view.full:
        doc.heading(_("Shared views"), 10.5)
        doc.para(view.shared_views)
        doc.heading(_("Decisions"), 10.5)
        doc.para(view.decisions)
        director = minutes.case_director
        doc.fact(_("Case director"), _user_name(director) if director else "")
    if minutes is not None:
        doc.fact(
            _("Next review"), local_date(minutes.next_review_on) if minutes.next_review_on else ""
        )
    if view.agreements_made:
        doc.heading(_("Agreements made in this meeting"), 10.5)
        doc.bullets(
            [
                _("%(owner)s, due %(due)s (%(status)s)")
                % {
                    "owner": a.owner_organisation.name,
                    "due": local_date(a.due_date),
                    "status": a.get_status_display(),
                }
                for a in view.agreements_made
            ]
        )


def _user_name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())
