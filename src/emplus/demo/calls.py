"""Demo funding calls: three open calls of different funders (fixed deadlines in 2027, so that
they stay open on the demo's dates) and, in consortia, one consortium in progress."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from emplus.calls.choices import Funder
from emplus.calls.models import Call
from emplus.geo.models import County
from emplus.methods.models import ThematicArea
from emplus.organisations.models import Organisation

# title, funder, funder's name, deadline, themes, target counties, budget (SEK), registered by
CALLS = [
    (
        "Vägar in i arbete för personer långt från arbetsmarknaden",
        Funder.ESF_PLUS,
        "",
        dt.date(2027, 3, 31),
        ["INCLUSION", "PATHWAY"],
        ["24", "25", "22"],
        Decimal("25000000"),
        "ABF",
    ),
    (
        "Unga som varken arbetar eller studerar – idéburna metoder",
        Funder.INHERITANCE_FUND,
        "",
        dt.date(2027, 2, 15),
        ["SCHOOLING", "INCLUSION"],
        [],
        Decimal("9000000"),
        "RB",
    ),
    (
        "Samverkan med näringslivet i glesbygd",
        Funder.REGION,
        "Region Västerbotten",
        dt.date(2027, 5, 20),
        ["SPARSE", "BUSINESS"],
        ["24"],
        Decimal("3500000"),
        "HSSL",
    ),
]

ELIGIBILITY = (
    "Ideella organisationer och idéburna aktörer, gärna i partnerskap med offentlig sektor. "
    "Medfinansiering på minst 10 procent."
)


def create(rng: random.Random) -> list[Call]:
    areas = {a.code: a for a in ThematicArea.objects.all()}
    counties = {c.code: c for c in County.objects.all()}
    organisations = {o.code: o for o in Organisation.objects.filter(is_partner=True)}
    calls = []
    for title, funder, name, deadline, themes, regions, budget, owner in CALLS:
        call, _ = Call.objects.update_or_create(
            title=title,
            defaults={
                "organisation": organisations[owner],
                "funder": funder,
                "funder_name": name,
                "deadline": deadline,
                "budget_frame": budget,
                "eligibility_notes": ELIGIBILITY,
                "link_text": f"{funder.label} – utlysning {deadline.year}",
            },
        )
        call.themes.set([areas[c] for c in themes if c in areas])
        call.target_regions.set([counties[c] for c in regions if c in counties])
        calls.append(call)
    return calls
