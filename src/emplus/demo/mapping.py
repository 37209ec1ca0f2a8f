"""Demo content of the mapping module: 360 activities spread as partners' offers really are,
dense in the cities and thin in the countryside, so that some rural and sparsely populated
municipalities have no activity at all. Deterministic for a given random generator."""

from __future__ import annotations

import datetime as dt
import random

from emplus.core.choices import Arena, TargetGroup
from emplus.mapping.choices import DeliveryMode
from emplus.mapping.models import Activity
from emplus.methods.models import Method
from emplus.organisations.models import Unit

ACTIVITY_COUNT = 360

TITLES = {
    Arena.EDUCATION_TRAINING: ["Studiecirkel", "Kurs", "Studieförberedande grupp", "Språkspår"],
    Arena.WORKING_LIFE: ["Jobbträff", "Vägledning mot arbete", "Nätverk för arbetssökande"],
    Arena.WORKPLACE_LEARNING: ["Praktikspår", "Arbetsträning", "Lärlingsstart"],
}
SCHEDULES = ["Tisdagar 13–16", "Måndag och torsdag 9–12", "Varannan onsdag 17–19", "Dagtid"]
ACCESSIBILITY = [
    "Entré utan trappsteg, hörselslinga.",
    "Hiss till lokalen; tillgänglig toalett.",
    "Material på lätt svenska.",
    "",
]


def _weighted(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def create(rng: random.Random) -> list[Activity]:
    units = list(
        Unit.objects.filter(organisation__is_partner=True)
        .select_related("organisation", "municipality__county")
        .order_by("organisation__code", "name")
    )
    if not units:
        return []
    methods = list(Method.objects.order_by("code").prefetch_related("thematic_areas"))
    by_county: dict[str, list] = {}
    for unit in units:
        county = unit.municipality.county
        if county.code not in by_county:
            by_county[county.code] = list(county.municipalities.order_by("code"))
    unit_weights = [u.municipality.county.population_2024 for u in units]
    arenas = list(Arena)
    activities = []
    for number in range(1, ACTIVITY_COUNT + 1):
        unit = _weighted(rng, units, unit_weights)
        arena = _weighted(rng, arenas, [4, 4, 2])
        in_county = by_county[unit.municipality.county_id]
        # Weighted a little above population: offers gather in the towns more than people do.
        weights = [m.population_2024**1.1 for m in in_county]
        served = {unit.municipality}
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            served.add(_weighted(rng, in_county, weights))
        mode = _weighted(rng, list(DeliveryMode), [6, 2, 2])
        suitable = [m for m in methods if str(arena) in m.arenas] or methods
        used = rng.sample(suitable, min(len(suitable), rng.randint(1, 2)))
        phases = sorted({p for m in used for p in m.phases})
        start = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 500))
        place = unit.municipality.name if mode != DeliveryMode.DIGITAL else "Digitalt"
        activity, _ = Activity.objects.update_or_create(
            code=f"ACT-{number:04d}",
            defaults={
                "organisation": unit.organisation,
                "unit": unit,
                "title": f"{rng.choice(TITLES[arena])}: {used[0].name} i {unit.municipality.name}",
                "description": f"{unit.organisation.name} erbjuder {used[0].name.lower()} "
                f"för deltagare i {unit.municipality.county.name}.",
                "arena": arena,
                "phases": phases,
                "target_groups": sorted(rng.sample(list(TargetGroup.values), rng.randint(1, 3))),
                "place": place,
                "accessibility": rng.choice(ACCESSIBILITY),
                "delivery_mode": mode,
                "start_date": start,
                "end_date": start + dt.timedelta(days=rng.choice([90, 180, 365]))
                if rng.random() < 0.7
                else None,
                "schedule": rng.choice(SCHEDULES),
                "capacity": rng.choice([8, 10, 12, 15, 20, 25]),
                "contact_email": f"{unit.organisation.code.lower()}@demo.invalid",
                "contact_phone": f"010-{rng.randint(100, 999)} {rng.randint(10, 99)} 00",
            },
        )
        activity.methods.set(used)
        activity.thematic_areas.set({a for m in used for a in m.thematic_areas.all()})
        activity.municipalities.set(sorted(served, key=lambda m: m.code))
        activities.append(activity)
    return activities
