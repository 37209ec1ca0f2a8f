"""The application annex of a consortium: its content (selectors read it) and its two files,
PDF (fpdf2 with its built-in Helvetica: no system font, no network) and XLSX (the project's
formula-safe cells). Regional presence is a map of the call's regions (the geography pages'
choropleth, drawn as a PNG) with a table of the same numbers in both, and a table per partner
and county."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from emplus.core.export_cells import xlsx_workbook, xlsx_write_row
from emplus.geo import maps


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
class PresenceArea:
    code: str
    name: str
    partners: int  # partners with an activity in the area
    activities: int


@dataclass(frozen=True)
class RegionalPresence:
    """The consortium's presence in every area of the call's regions: municipalities of the
    target counties, or the counties of Sweden when the call names none."""

    level: str  # "municipality" or "county"
    areas: list[PresenceArea]


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
    presence: RegionalPresence | None = None


def _latin(text: str) -> str:
    """The PDF's built-in font covers Latin-1 (å, ä, ö, é): dashes and quotes are mapped, any
    other character becomes '?'."""
    table = str.maketrans({"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "..."})
    return text.translate(table).encode("latin-1", "replace").decode("latin-1")


# --- the presence map ---------------------------------------------------------------------------

PRESENCE_BREAKS = (1.0, 2.0, 3.0, 4.0)
HATCH = "hatched"


def presence_legend() -> list[str]:
    return [
        _("No partner (hatched)"),
        _("1 partner"),
        _("2 partners"),
        _("3 partners"),
        _("4 partners or more"),
    ]


def presence_caption(presence: RegionalPresence) -> str:
    if presence.level == "municipality":
        return _(
            "Map: the consortium's partners with activities in each municipality of the call's "
            "regions. The number on a municipality is the number of partners there; hatched "
            "municipalities have none. The table has the same numbers."
        )
    return _(
        "Map: the consortium's partners with activities in each county. The number on a county "
        "is the number of partners there; hatched counties have none. The table has the same "
        "numbers."
    )


def presence_area_heading(presence: RegionalPresence) -> str:
    return _("Municipality") if presence.level == "municipality" else _("County")


def presence_map(presence: RegionalPresence) -> maps.Choropleth:
    return maps.choropleth(
        level=presence.level,
        names={a.code: a.name for a in presence.areas},
        values={a.code: a.partners for a in presence.areas},
        breaks=PRESENCE_BREAKS,
        legend_labels=presence_legend(),
    )


def presence_png(presence: RegionalPresence, *, width: int) -> bytes:
    """The map as a PNG: partners' numbers written on their areas, areas without a partner
    hatched, so that it reads in black and white."""
    return maps.choropleth_png(
        presence_map(presence),
        level=presence.level,
        width=width,
        labels={a.code: str(a.partners) for a in presence.areas if a.partners},
        hatched=[a.code for a in presence.areas if not a.partners],
    )


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (IHDR)."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


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
    if annex.presence is not None and annex.presence.areas:
        _pdf_presence(pdf, annex.presence, heading=heading, line=line, table=table)
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


def _pdf_presence(pdf, presence: RegionalPresence, *, heading, line, table) -> None:
    """The map at the left, its legend beside it (a swatch, hatched for no partner, and its
    words), the caption and the table of the same numbers under it."""
    png = presence_png(presence, width=900)
    pixels_w, pixels_h = _png_size(png)
    width, height = pdf.epw * 0.55, pdf.epw * 0.55 * pixels_h / pixels_w
    if height > 150:
        width, height = width * 150 / height, 150
    if pdf.get_y() + height + 20 > pdf.h - pdf.b_margin:
        pdf.add_page()
    heading(_("Regional presence of the consortium"), 13)
    top, left = pdf.get_y(), pdf.l_margin
    pdf.image(
        io.BytesIO(png), x=left, y=top, w=width, h=height, alt_text=presence_caption(presence)
    )
    chart = presence_map(presence)
    x, y, size = left + width + 6, top + 2, 5.0
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_xy(x, y)
    pdf.cell(0, size, _latin(_("Legend")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    for index, entry in enumerate(chart.legend):
        y += size + 2
        red, green, blue = (int(entry.fill[i : i + 2], 16) for i in (1, 3, 5))
        pdf.set_fill_color(red, green, blue)
        pdf.rect(x, y, size, size, style="DF")
        if index == 0:  # no partner: hatched, as on the map
            for step in range(1, 10):
                c = step * size / 5
                u0, u1 = max(0.0, c - size), min(c, size)
                pdf.line(x + u0, y + size - (c - u0), x + u1, y + size - (c - u1))
        pdf.set_xy(x + size + 2, y)
        pdf.cell(0, size, _latin(entry.label))
    pdf.set_xy(x, y + size + 4)
    pdf.multi_cell(pdf.epw - width - 6, 4.5, _latin(presence_caption(presence)), align="L")
    pdf.set_y(max(top + height, pdf.get_y()) + 3)
    table(
        [presence_area_heading(presence), _("Partners present"), _("Activities")],
        [[a.name, str(a.partners), str(a.activities)] for a in presence.areas],
        [0.5, 0.25, 0.25],
    )


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
    if annex.presence is not None and annex.presence.areas:
        _xlsx_presence(presence, annex.presence, bold)
    methods = workbook.add_worksheet(_("Methods and evidence")[:31])
    xlsx_write_row(methods, 0, 0, [_("Organisation"), _("Method"), _("Evidence level")], bold)
    row = 1
    for p in annex.partners:
        for name, level in p.methods:
            xlsx_write_row(methods, row, 0, [p.organisation, name, level])
            row += 1
    workbook.close()
    return buffer.getvalue()


def _xlsx_presence(sheet, presence: RegionalPresence, bold) -> None:
    """Beside the partners' table: the caption and legend, the table of the map's numbers and
    the map (column F on)."""
    xlsx_write_row(sheet, 0, 5, [_("Regional presence of the consortium")], bold)
    xlsx_write_row(sheet, 1, 5, [presence_caption(presence)])
    for offset, label in enumerate(presence_legend(), start=2):
        xlsx_write_row(sheet, offset, 5, [label])
    header_row = 3 + len(PRESENCE_BREAKS) + 1
    xlsx_write_row(
        sheet,
        header_row,
        5,
        [presence_area_heading(presence), _("Partners present"), _("Activities")],
        bold,
    )
    for offset, area in enumerate(presence.areas, start=header_row + 1):
        xlsx_write_row(sheet, offset, 5, [area.name, area.partners, area.activities])
    png = presence_png(presence, width=480)
    sheet.insert_image(
        header_row,
        9,
        "presence-map.png",
        {
            "image_data": io.BytesIO(png),
            "description": presence_caption(presence),
            "object_position": 3,
        },
    )
    sheet.set_column(5, 5, 28)
