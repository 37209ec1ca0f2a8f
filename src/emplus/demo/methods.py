"""Demo content of the methods library: 28 methods across the four pathway phases (the eight
thematic areas are reference data). Deterministic for a given random generator."""

from __future__ import annotations

import datetime as dt
import random

from emplus.core.choices import Arena, TargetGroup
from emplus.methods.models import Method, MethodVersion, ThematicArea
from emplus.methods.services import thematic_area_reference_load
from emplus.organisations.models import Organisation

M, P, T, S = "mobilise", "prepare", "train", "support"
EDU, WORK, APL = Arena.EDUCATION_TRAINING, Arena.WORKING_LIFE, Arena.WORKPLACE_LEARNING

# code, name, phases, arenas, thematic areas, owner organisation codes
METHODS = [
    ("M-OPPNA-DORRAR", "Öppna dörrar i föreningslivet", [M], [WORK], ["INCLUSION"], ["RF"]),
    ("M-UPPSOK", "Uppsökande samtal i bostadsområden", [M], [WORK], ["INCLUSION"], ["RB"]),
    ("M-IDROTT-IN", "Idrott som väg in", [M, P], [WORK], ["INCLUSION"], ["RF"]),
    ("M-STUDIECIRKEL", "Studiecirkel som första steg", [M, P], [EDU], ["INCLUSION"], ["ABF"]),
    ("M-BYGDEMOTE", "Bygdemöten om arbete", [M], [WORK], ["SPARSE"], ["HSSL"]),
    ("M-LOTS", "Lotsning till samhällets stöd", [M, S], [WORK], ["PATHWAY"], ["FRS"]),
    ("M-KARTLAGG", "Kartläggning av styrkor", [P], [EDU, WORK], ["PATHWAY"], ["ABF"]),
    ("M-SJALVSKATT", "Självskattning i stegförflyttning", [P, S], [EDU], ["EFFECT"], ["ABF"]),
    ("M-HANDLPLAN", "Individuell handlingsplan", [P], [WORK], ["PATHWAY"], ["IFMETALL"]),
    ("M-SPRAKCAFE", "Språkcafé med yrkessvenska", [P, T], [EDU], ["INCLUSION"], ["ABF"]),
    ("M-DIGITAL", "Digital vardagskompetens", [P, T], [EDU], ["COMPETENCE"], ["ABF"]),
    ("M-ANPASSA", "Anpassad arbetsträning", [P, T], [APL], ["INCLUSION"], ["FRS"]),
    ("M-MENTOR", "Mentorskap med yrkesverksamma", [P, S], [WORK], ["BUSINESS"], ["IFMETALL"]),
    ("M-FOLKHOG", "Folkhögskoleförberedelse", [P, T], [EDU], ["SCHOOLING"], ["ABF"]),
    ("M-KOMVUX", "Studiestöd mot Komvux", [T], [EDU], ["SCHOOLING"], ["ABF"]),
    ("M-APL-HAND", "Handledd praktik hos arbetsgivare", [T], [APL], ["BUSINESS"], ["IFMETALL"]),
    ("M-BRANSCH", "Branschvalidering av kunskaper", [T], [APL], ["BUSINESS"], ["IFMETALL"]),
    ("M-KOOP-START", "Starta kooperativ", [T], [WORK], ["SPARSE"], ["COOMPANION"]),
    (
        "M-SOCENT",
        "Arbetsintegrerande socialt företag",
        [T, S],
        [APL],
        ["INCLUSION"],
        ["COOMPANION"],
    ),
    ("M-EGENANST", "Pröva på egenanställning", [T], [WORK], ["GIG"], ["SMART", "CONVOY"]),
    ("M-GIG-TRYGG", "Trygghet i gigarbete", [T, S], [WORK], ["GIG"], ["SMART"]),
    ("M-LEDARE", "Ledarutbildning i föreningen", [T], [EDU], ["COMPETENCE"], ["RF"]),
    (
        "M-HANDLEDARUTB",
        "Handledarutbildning för civilsamhället",
        [T],
        [EDU],
        ["COMPETENCE"],
        ["ABF", "FRS"],
    ),
    ("M-JOBBCOACH", "Jobbcoachning efter start", [S], [WORK], ["PATHWAY"], ["IFMETALL"]),
    ("M-UPPFOLJ", "Uppföljning efter sex månader", [S], [WORK], ["EFFECT"], ["HSSL"]),
    ("M-ARBGIV-STOD", "Stöd till arbetsgivaren", [S], [APL], ["BUSINESS"], ["FRS"]),
    ("M-DISTANS", "Distansstöd i glesbygd", [S], [EDU, WORK], ["SPARSE"], ["HSSL"]),
    ("M-SKOLAVHOPP", "Fånga upp skolavhoppare", [M, S], [EDU], ["SCHOOLING"], ["RB"]),
    ("M-EFFEKT-JMF", "Jämförelsegrupp i praktiken", [S], [WORK], ["EFFECT"], ["ABF", "HSSL"]),
]

STEPS = [
    "Första kontakt och förväntningar",
    "Gemensam kartläggning",
    "Genomförande i små grupper",
    "Reflektion och självskattning",
    "Uppföljning och nästa steg",
]


def create(rng: random.Random) -> list[Method]:
    # The thematic areas are reference data (`emplus load-reference-data`), loaded before.
    thematic_area_reference_load()
    areas = {a.code: a for a in ThematicArea.objects.all()}
    organisations = {o.code: o for o in Organisation.objects.filter(is_partner=True)}
    groups = list(TargetGroup.values)
    methods = []
    for code, name, phases, arenas, area_codes, owners in METHODS:
        n_steps = rng.randint(3, 5)
        method, _ = Method.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "purpose": f"{name}: att hjälpa deltagare ett steg närmare arbete eller studier.",
                "phases": list(phases),
                "arenas": [str(a) for a in arenas],
                "target_groups": sorted(rng.sample(groups, rng.randint(1, 3))),
                "steps": "\n".join(f"{i}. {s}" for i, s in enumerate(STEPS[:n_steps], 1)),
                "resources": f"En handledare per {rng.choice([6, 8, 10, 12])} deltagare, lokal.",
                "evidence_level": rng.choice([0, 1, 1, 2, 2, 3]),
            },
        )
        method.thematic_areas.set([areas[a] for a in area_codes])
        method.owners.set([organisations[o] for o in owners if o in organisations])
        first = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 365))
        MethodVersion.objects.update_or_create(
            method=method,
            version="1.0",
            defaults={"released_on": first, "change_note": "Första beskrivningen."},
        )
        if rng.random() < 0.5:
            MethodVersion.objects.update_or_create(
                method=method,
                version="1.1",
                defaults={
                    "released_on": first + dt.timedelta(days=rng.randint(120, 400)),
                    "change_note": "Förtydligade steg efter erfarenheter från testbädd.",
                },
            )
        methods.append(method)
    return methods
