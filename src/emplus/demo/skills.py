"""Demo content of skills development: needs in all 21 counties, a course catalogue with
occasions, registrations and completions of the demo staff. Deterministic for a given
random generator."""

from __future__ import annotations

import datetime as dt
import random

from emplus.geo.models import County
from emplus.methods.models import Method
from emplus.organisations.models import Membership, Organisation
from emplus.skills.models import Course, CourseOccasion, Registration, SkillArea, SkillNeed
from emplus.skills.services import skill_area_reference_load

# title, provider, format, hours, language, target roles, skill-area codes, method codes
COURSES = [
    ("Motiverande samtal, grundkurs", "ABF", "blended", 24, "sv", ["coach"], ["MI"], ["M-LOTS"]),
    ("IPS i praktiken", "Forum", "classroom", 16, "sv", ["coach", "supervisor"], ["IPS-SE"], []),
    (
        "Digitalt stöd till deltagare",
        "ABF",
        "online",
        8,
        "sv",
        ["coach", "volunteer"],
        ["DIGITAL"],
        ["M-DIGITAL"],
    ),
    (
        "Tillgänglig verksamhet",
        "FRS",
        "online",
        6,
        "sv-easy",
        ["coordinator", "volunteer"],
        ["ACCESS"],
        [],
    ),
    (
        "Handledare på arbetsplatsen",
        "IF Metall",
        "workplace",
        20,
        "sv",
        ["supervisor"],
        ["WBL", "EMPLOYER"],
        ["M-APL-HAND"],
    ),
    (
        "Arbetsrätt för coacher",
        "IF Metall",
        "classroom",
        12,
        "sv",
        ["coach", "manager"],
        ["LABOUR-LAW"],
        [],
    ),
    (
        "Språkstöd i vardagen",
        "ABF",
        "classroom",
        18,
        "sv",
        ["volunteer"],
        ["LANGUAGE"],
        ["M-SPRAKCAFE"],
    ),
    (
        "Effektmätning steg för steg",
        "Hela Sverige ska leva",
        "online",
        10,
        "en",
        ["coordinator"],
        ["FOLLOW-UP"],
        ["M-UPPFOLJ"],
    ),
]
NOTES = ["", "", "Nya handledare i höst.", "Volontärer som börjat i år.", "Efter omorganisation."]


def create(rng: random.Random) -> list[Course]:
    skill_area_reference_load()
    areas = {a.code: a for a in SkillArea.objects.all()}
    partners = list(Organisation.objects.filter(is_partner=True).order_by("code"))
    counties = list(County.objects.order_by("code"))
    if not partners:
        return []
    for index, county in enumerate(counties):
        # every county has needs, from two partners
        for organisation in (partners[index % len(partners)], rng.choice(partners)):
            area = rng.choice(list(areas.values()))
            SkillNeed.objects.update_or_create(
                organisation=organisation,
                skill_area=area,
                county=county,
                defaults={
                    "people": rng.randint(2, 25),
                    "urgency": rng.choice(["low", "medium", "high"]),
                    "staff_kind": rng.choice(["staff", "staff", "volunteers"]),
                    "note": rng.choice(NOTES),
                },
            )
    methods = {m.code: m for m in Method.objects.all()}
    staff = list(
        Membership.objects.filter(role__in=["coach", "coordinator"], organisation__in=partners)
        .select_related("user", "organisation__municipality")
        .order_by("user__username")
    )
    courses = []
    for number, (title, provider, fmt, hours, language, roles, codes, method_codes) in enumerate(
        COURSES
    ):
        publisher = partners[number % len(partners)]
        course, _ = Course.objects.update_or_create(
            title=title,
            defaults={
                "organisation": publisher,
                "provider": provider,
                "format": fmt,
                "length_hours": hours,
                "language": language,
                "target_roles": roles,
                "description": f"{title}: för {', '.join(roles)} hos parterna.",
            },
        )
        course.skill_areas.set([areas[c] for c in codes])
        course.methods.set([methods[c] for c in method_codes if c in methods])
        course.thematic_areas.set({t for c in codes for t in areas[c].thematic_areas.all()})
        courses.append(course)
        for run in range(2):
            start = dt.date(2025, 9, 1) + dt.timedelta(days=120 * run + rng.randint(0, 60))
            occasion, _ = CourseOccasion.objects.update_or_create(
                course=course,
                starts_on=start,
                defaults={
                    "ends_on": start + dt.timedelta(days=rng.randint(0, 30)),
                    "county": None if fmt == "online" else rng.choice(counties),
                    "place": "" if fmt == "online" else "Folkets hus",
                    "places": rng.choice([12, 16, 20]),
                },
            )
            for membership in rng.sample(staff, min(len(staff), rng.randint(3, 8))):
                done = run == 0 and rng.random() < 0.8
                Registration.objects.update_or_create(
                    occasion=occasion,
                    person=membership.user,
                    defaults={
                        "organisation": membership.organisation,
                        "county": membership.organisation.municipality.county
                        if membership.organisation.municipality_id
                        else rng.choice(counties),
                        "status": "completed" if done else "registered",
                        "completed_on": occasion.ends_on if done else None,
                    },
                )
    return courses
