"""Demo content of the test beds: one regional test bed led by each partner, with goals and a
dated learning log. Deterministic for a given random generator."""

from __future__ import annotations

import datetime as dt
import random

from emplus.methods.models import Method
from emplus.organisations.models import Organisation
from emplus.testbeds.models import LearningLogEntry, TestBed, TestBedGoal

GOALS = [
    ("Fler deltagare går vidare till arbete eller studier", "EECR03 i arbete efter avslut", "30 %"),
    ("Deltagarna tar steg mot arbete", "Andel med stegförflyttning", "60 %"),
    ("Metoden kan användas av andra parter", "Antal parter som prövat metoden", "3"),
]
LESSONS = [
    "Uppstartsträff med alla parter; rollerna fördelade.",
    "Rekryteringen gick långsammare än planerat; nya kanaler via föreningslivet.",
    "Deltagarna efterfrågar mer praktik tidigt; steg 3 flyttat fram.",
    "Halvtidsreflektion: metoden fungerar bäst i små grupper.",
]


def create(rng: random.Random) -> list[TestBed]:
    methods = list(Method.objects.order_by("code"))
    partners = list(Organisation.objects.filter(is_partner=True).order_by("code"))
    beds = []
    for lead in partners:
        units = list(lead.units.select_related("municipality__county").order_by("name"))
        if not units:
            continue
        county = rng.choice(units).municipality.county
        in_county = list(county.municipalities.order_by("code"))
        chosen = rng.sample(in_county, min(len(in_county), rng.randint(2, 4)))
        start = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 240))
        bed, _ = TestBed.objects.update_or_create(
            code=f"TB-{lead.code}"[:32],
            defaults={
                "name": f"Testbädd {county.short_name} – {lead.code}",
                "county": county,
                "lead_organisation": lead,
                "description": f"{lead.name} prövar metoder tillsammans med andra parter "
                f"i {county.name}.",
                "target_group": "Personer långt från arbetsmarknaden, 18–64 år.",
                "start_date": start,
                "end_date": start + dt.timedelta(days=rng.choice([365, 540, 730])),
            },
        )
        others = [p for p in partners if p != lead]
        bed.partners.set([lead, *rng.sample(others, rng.randint(1, 2))])
        bed.municipalities.set(chosen)
        owned = [m for m in methods if lead in m.owners.all()] or methods
        tried = rng.sample(owned, min(len(owned), 2)) + rng.sample(methods, 1)
        bed.methods.set(tried)
        bed.thematic_areas.set({a for m in tried for a in m.thematic_areas.all()})
        for goal, indicator, target in GOALS[: rng.randint(2, 3)]:
            TestBedGoal.objects.update_or_create(
                test_bed=bed, goal=goal, defaults={"indicator": indicator, "target": target}
            )
        for i, text in enumerate(LESSONS[: rng.randint(2, 4)]):
            LearningLogEntry.objects.update_or_create(
                test_bed=bed,
                entry_date=start + dt.timedelta(days=45 * i),
                defaults={"text": text},
            )
        beds.append(bed)
    return beds
