"""Demo funding calls: three open calls of different funders (fixed deadlines in 2027, so that
they stay open on the demo's dates) and, in consortia, one consortium in progress."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from emplus.calls.choices import Funder, LetterOfIntent, PartnerRole
from emplus.calls.models import Call, Consortium, ConsortiumEvent, ConsortiumPartner
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
    consortium_create(calls[0], organisations)
    return calls


# partner code, role, what it does, letter of intent, budget share (%)
CONSORTIUM = [
    (
        "ABF",
        PartnerRole.LEAD,
        "Samordning, studiecirklar och språkcafé",
        LetterOfIntent.RECEIVED,
        40,
    ),
    ("RF", PartnerRole.PARTNER, "Idrott som väg in", LetterOfIntent.RECEIVED, 25),
    ("FRS", PartnerRole.PARTNER, "Anpassad arbetsträning", LetterOfIntent.REQUESTED, 20),
    ("HSSL", PartnerRole.ASSOCIATE, "Bygdemöten i glesbygd", LetterOfIntent.NOT_ASKED, 0),
]


def consortium_create(call: Call, organisations: dict[str, Organisation]) -> Consortium:
    """One consortium in progress for the first call, with its history (the demo's own rows:
    no person is named as having done it)."""
    consortium, created = Consortium.objects.update_or_create(
        call=call,
        title="Vägar in – Västerbotten, Västernorrland och Jämtland",
        defaults={
            "lead_organisation": organisations["ABF"],
            "summary": "Ett konsortium av studieförbund, idrott och funktionsrätt.",
        },
    )
    when = dt.datetime(2026, 10, 1, 10, 0, tzinfo=dt.UTC)
    if created:
        ConsortiumEvent.objects.create(consortium=consortium, occurred_at=when, action="created")
    for day, (code, role, what, letter, share) in enumerate(CONSORTIUM):
        if code not in organisations:
            continue
        _partner, added = ConsortiumPartner.objects.update_or_create(
            consortium=consortium,
            organisation=organisations[code],
            defaults={
                "role": role,
                "role_description": what,
                "letter_of_intent": letter,
                "budget_share": Decimal(share),
                "contact": f"Kontaktperson {code}",
            },
        )
        if added:
            ConsortiumEvent.objects.create(
                consortium=consortium,
                occurred_at=when + dt.timedelta(days=day),
                action="partner_added",
                organisation=organisations[code],
            )
    return consortium
