"""The application annex of a consortium: its content (selectors read it) and its two files,
PDF (fpdf2 with its built-in Helvetica: no system font, no network) and XLSX (the project's
formula-safe cells). Regional presence is a table per county in both: the PDF draws no map."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from emplus.core.export_cells import xlsx_workbook, xlsx_write_row


@dataclass(frozen=True)
class PartnerSection:
    organisation: str
    role: str
    role_description: str
    contact: str
    letter_of_intent: str
    budget_share: Decimal
    presence: list[tuple[str, int, int]]  # county, activities, municipalities
    methods: list[tuple[str, str]]  # method name, evidence level label
    collaborations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Annex:
    title: str
    call_title: str
    funder: str
    deadline: str
    themes: str
    regions: str
    lead: str
    summary: str
    partners: list[PartnerSection]


def _latin(text: str) -> str:
    """The PDF's built-in font covers Latin-1 (å, ä, ö, é): dashes and quotes are mapped, any
    other character becomes '?'."""
    table = str.maketrans({"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "..."})
    return text.translate(table).encode("latin-1", "replace").decode("latin-1")


def annex_pdf(annex: Annex) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(_latin(annex.title))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw

    def heading(text: str, size: int) -> None:
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(width, size / 2 + 2, _latin(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def line(text: str) -> None:
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(width, 5, _latin(text), new_x="LMARGIN", new_y="NEXT")

    def table(header: list[str], rows: list[list[str]], widths: list[float]) -> None:
        pdf.set_font("Helvetica", "B", 9)
        for text, w in zip(header, widths, strict=True):
            pdf.cell(w * width, 6, _latin(text), border=1)
        pdf.ln()
        pdf.set_font("Helvetica", "", 9)
        for row in rows:
            for text, w in zip(row, widths, strict=True):
                pdf.cell(w * width, 6, _latin(text)[:70], border=1)
            pdf.ln()
        pdf.ln(2)

    heading(annex.title, 16)
    line(_("Call: %(title)s") % {"title": annex.call_title})
    line(
        _("Funder: %(funder)s. Deadline: %(deadline)s")
        % {"funder": annex.funder, "deadline": annex.deadline}
    )
    line(_("Themes: %(themes)s") % {"themes": annex.themes})
    line(_("Target regions: %(regions)s") % {"regions": annex.regions})
    line(_("Lead organisation: %(lead)s") % {"lead": annex.lead})
    if annex.summary:
        line(annex.summary)
    pdf.ln(3)
    heading(_("Partners"), 13)
    table(
        [_("Organisation"), _("Role"), _("Contact"), _("Letter of intent"), _("Budget share")],
        [
            [p.organisation, p.role, p.contact, p.letter_of_intent, f"{p.budget_share} %"]
            for p in annex.partners
        ],
        [0.3, 0.18, 0.22, 0.17, 0.13],
    )
    for partner in annex.partners:
        heading(f"{partner.organisation} ({partner.role})", 12)
        if partner.role_description:
            line(partner.role_description)
        heading(_("Regional presence"), 10)
        if partner.presence:
            table(
                [_("County"), _("Activities"), _("Municipalities")],
                [[c, str(a), str(m)] for c, a, m in partner.presence],
                [0.5, 0.25, 0.25],
            )
        else:
            line(_("No activities in the call's regions."))
        heading(_("Methods and evidence"), 10)
        if partner.methods:
            table(
                [_("Method"), _("Evidence level")],
                [[name, level] for name, level in partner.methods],
                [0.55, 0.45],
            )
        else:
            line(_("No method in the call's themes."))
        if partner.collaborations:
            heading(_("Collaborations in the call's themes or regions"), 10)
            for title in partner.collaborations:
                line(f"- {title}")
        pdf.ln(2)
    return bytes(pdf.output())


def annex_xlsx(annex: Annex) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsx_workbook(buffer)
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet(_("Partners")[:31])
    xlsx_write_row(sheet, 0, 0, [annex.title], bold)
    xlsx_write_row(sheet, 1, 0, [_("Call"), annex.call_title])
    xlsx_write_row(sheet, 2, 0, [_("Funder"), annex.funder])
    xlsx_write_row(sheet, 3, 0, [_("Deadline"), annex.deadline])
    xlsx_write_row(sheet, 4, 0, [_("Lead organisation"), annex.lead])
    header = [
        _("Organisation"),
        _("Role"),
        _("What the partner does"),
        _("Contact"),
        _("Letter of intent"),
        _("Budget share (%)"),
    ]
    xlsx_write_row(sheet, 6, 0, header, bold)
    for index, p in enumerate(annex.partners, start=7):
        xlsx_write_row(
            sheet,
            index,
            0,
            [
                p.organisation,
                p.role,
                p.role_description,
                p.contact,
                p.letter_of_intent,
                p.budget_share,
            ],
        )
    presence = workbook.add_worksheet(_("Regional presence")[:31])
    xlsx_write_row(
        presence, 0, 0, [_("Organisation"), _("County"), _("Activities"), _("Municipalities")], bold
    )
    row = 1
    for p in annex.partners:
        for county, activities, municipalities in p.presence:
            xlsx_write_row(presence, row, 0, [p.organisation, county, activities, municipalities])
            row += 1
    methods = workbook.add_worksheet(_("Methods and evidence")[:31])
    xlsx_write_row(methods, 0, 0, [_("Organisation"), _("Method"), _("Evidence level")], bold)
    row = 1
    for p in annex.partners:
        for name, level in p.methods:
            xlsx_write_row(methods, row, 0, [p.organisation, name, level])
            row += 1
    workbook.close()
    return buffer.getvalue()
