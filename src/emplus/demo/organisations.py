"""Demo content of the organisations app: the partnership, actors of other sectors, local units
in all 21 counties, and users of every role. Deterministic for a given random generator."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from emplus.core.roles import Role
from emplus.geo.models import County, Municipality
from emplus.organisations import reference
from emplus.organisations.choices import OrganisationKind as K
from emplus.organisations.choices import Sector as S
from emplus.organisations.choices import UnitKind
from emplus.organisations.models import Organisation, Unit
from emplus.organisations.services import membership_grant, partner_register_load

DEMO_PASSWORD = "demo-emplus-2026"  # noqa: S105 - printed by `emplus demo`, demo data only
# Shown instead of the password for a user that existed before this run (left untouched).
EXISTING = "(unchanged)"

# The partners come from the shipped register (`emplus load-reference-data`); the demo adds
# a seat, local units and users. Code: seat, short name for units, unit kind, how many
# counties (21 = all).
PARTNER_DEMO = {
    "ABF": ("0180", "ABF", UnitKind.DISTRICT, 21),
    "COOMPANION": ("0180", "Coompanion", UnitKind.OFFICE, 14),
    "FRS": ("0180", "Funktionsrätt", UnitKind.LOCAL_ASSOCIATION, 8),
    "HSSL": ("0180", "Hela Sverige ska leva", UnitKind.LOCAL_ASSOCIATION, 21),
    "IFMETALL": ("0180", "IF Metall", UnitKind.BRANCH, 21),
    "RF": ("0180", "RF-SISU", UnitKind.DISTRICT, 21),
    "RB": ("0183", "Rädda Barnen", UnitKind.LOCAL_ASSOCIATION, 10),
    "SMART": ("1480", "SMART", UnitKind.OFFICE, 3),
    "CONVOY": ("0180", "Convoy", UnitKind.OFFICE, 2),
}

# Actors of other sectors. Public bodies keep their real names; employers and schools are
# fictitious.
OTHER_ACTORS = [
    ("AF", "Arbetsförmedlingen", S.PUBLIC, K.STATE_AGENCY, "0180"),
    ("FK", "Försäkringskassan", S.PUBLIC, K.STATE_AGENCY, "0180"),
    ("REG-AC", "Region Västerbotten", S.PUBLIC, K.REGION, "2480"),
    ("REG-M", "Region Skåne", S.PUBLIC, K.REGION, "1280"),
    ("K-2480", "Umeå kommun", S.PUBLIC, K.MUNICIPALITY, "2480"),
    ("K-1280", "Malmö stad", S.PUBLIC, K.MUNICIPALITY, "1280"),
    ("K-2521", "Pajala kommun", S.PUBLIC, K.MUNICIPALITY, "2521"),
    ("K-1737", "Torsby kommun", S.PUBLIC, K.MUNICIPALITY, "1737"),
    ("EMP-NORRSKEN", "Norrskens Bygg AB", S.BUSINESS, K.EMPLOYER, "2580"),
    ("EMP-VATTERN", "Vätterns Mekaniska AB", S.BUSINESS, K.EMPLOYER, "0680"),
    ("EMP-GRONA", "Gröna Gårdar ekonomisk förening", S.SOCIAL_ECONOMY, K.EMPLOYER, "0861"),
    ("SCH-LJUSDAL", "Gymnasieskolan Älvdalen Norra", S.EDUCATION, K.SCHOOL, "2161"),
    ("FHS-FJALL", "Fjällviks folkhögskola", S.EDUCATION, K.FOLK_HIGH_SCHOOL, "2309"),
    ("UNI-UMU", "Umeå universitet", S.EDUCATION, K.UNIVERSITY, "2480"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    organisation: str
    unit: str


def _organisation(code, name, sector, kind, seat, is_partner) -> Organisation:
    org, _ = Organisation.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "sector": sector,
            "kind": kind,
            "is_partner": is_partner,
            "municipality_id": seat,
        },
    )
    return org


def _pick_municipality(rng: random.Random, county: County) -> Municipality:
    """Units sit mostly in the larger towns of a county, as they do in reality."""
    municipalities = list(county.municipalities.order_by("code"))
    weights = [m.population_2024 for m in municipalities]
    return rng.choices(municipalities, weights=weights, k=1)[0]


def _user(username: str, first: str, last: str):
    """The demo user, created with the demo password; an existing user of that name (a demo
    user from an earlier run, or a real one) keeps their password and roles untouched."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.invalid"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user, created


def _printed_password(user) -> str:
    # Checking is read-only: a user who chose their own password keeps it, unprinted.
    return DEMO_PASSWORD if user.check_password(DEMO_PASSWORD) else EXISTING


def create(rng: random.Random) -> list[DemoLogin]:
    counties = list(County.objects.order_by("code"))
    if len(counties) != 21:
        raise RuntimeError("Load the reference data first: emplus load-reference-data")
    partner_register_load()  # idempotent; the demo builds on the shipped register
    logins: list[DemoLogin] = []
    for record in reference.partners():
        code = record.code
        seat, short, unit_kind, n_counties = PARTNER_DEMO[code]
        org = Organisation.objects.get(code=code)
        if org.municipality_id is None:
            org.municipality_id = seat
            org.save(update_fields=["municipality", "updated_at"])
        chosen = counties if n_counties == 21 else rng.sample(counties, n_counties)
        units = []
        for county in sorted(chosen, key=lambda c: c.code):
            municipality = _pick_municipality(rng, county)
            unit, _ = Unit.objects.update_or_create(
                organisation=org,
                name=f"{short} {county.short_name}",
                defaults={"kind": unit_kind, "municipality": municipality},
            )
            units.append(unit)
        people = [
            (Role.COORDINATOR, None),
            (Role.COACH, units[0]),
            (Role.ANALYST, None),
        ]
        if len(units) > 1:
            people.append((Role.COACH, units[-1]))
        for index, (role, unit) in enumerate(people):
            suffix = "2" if role == Role.COACH and index > 1 else ""
            username = f"{role}{suffix}.{code.lower()}"
            user, created = _user(username, first=_first_name(rng), last=_last_name(rng))
            if created:
                membership_grant(user=user, organisation=org, role=role, unit=unit)
            logins.append(
                DemoLogin(
                    username,
                    _printed_password(user),
                    role,
                    org.code,
                    unit.name if unit else "",
                )
            )
    for code, name, sector, kind, seat in OTHER_ACTORS:
        _organisation(code, name, sector, kind, seat, is_partner=False)
    admin, created = _user("admin", "Alva", "Administratör")
    abf = Organisation.objects.get(code="ABF")
    if created:
        membership_grant(user=admin, organisation=abf, role=Role.ADMIN)
    logins.insert(0, DemoLogin("admin", _printed_password(admin), Role.ADMIN, abf.code, ""))
    return logins


# Fictitious names: common Swedish first names and invented surnames.
FIRST_NAMES = [
    "Alva",
    "Elsa",
    "Maja",
    "Saga",
    "Nora",
    "Leo",
    "Noah",
    "Elias",
    "Hugo",
    "Liam",
    "Amina",
    "Yusuf",
    "Sara",
    "Omar",
    "Linnea",
    "Aron",
    "Iris",
    "Emil",
    "Selma",
    "Ali",
]
LAST_NAMES = [
    "Fjällström",
    "Ekbacka",
    "Norrgren",
    "Åslund",
    "Myrberg",
    "Lindqvarn",
    "Sjöholt",
    "Granlid",
    "Björkmyr",
    "Tallberga",
    "Vikenlund",
    "Ängfors",
]


def _first_name(rng: random.Random) -> str:
    return rng.choice(FIRST_NAMES)


def _last_name(rng: random.Random) -> str:
    return rng.choice(LAST_NAMES)
