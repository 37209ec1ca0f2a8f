"""Demo collaborations: in every one of the 21 counties, partners working with the region, a
municipality, the public employment service, adult education and employers (a few counties left
with collaborations inside civil society only: white spots), one national network, and letters
of intent as small PDFs written in code. Written straight to the tables, once."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.core.files.base import ContentFile

from emplus.collaborations.choices import (
    CollaborationKind,
    CollaborationStatus,
    DocumentKind,
    PartyRole,
)
from emplus.collaborations.letters import simple_pdf
from emplus.collaborations.models import Collaboration, CollaborationDocument, CollaborationParty
from emplus.core.choices import Arena
from emplus.core.roles import Role
from emplus.demo.pathways import TODAY
from emplus.geo.models import County, Municipality
from emplus.methods.models import ThematicArea
from emplus.organisations.choices import OrganisationKind, Sector
from emplus.organisations.models import Membership, Organisation
from emplus.worklife.models import Employer

# Counties whose collaborations stay inside civil society (white spots of collaboration).
SINGLE_SECTOR_COUNTIES = {"09", "20", "23"}
TITLES = {
    CollaborationKind.NETWORK: "Nätverket Jobbvägar {place}",
    CollaborationKind.IOP: "IOP om vägledning och språkstöd i {place}",
    CollaborationKind.PROCURED: "Rusta och matcha-avtal {place}",
    CollaborationKind.LETTER_OF_INTENT: "Avsiktsförklaring om arbetsplatsförlagt lärande, {place}",
    CollaborationKind.INFORMAL: "Samverkan kring unga utanför arbete och studier i {place}",
    CollaborationKind.OTHER: "Lokal arbetsmarknadsgrupp {place}",
}
CONTACTS = ["Karin Lund", "Ahmed Yusuf", "Sofia Berg", "Johan Ek", "Leila Nasser", "Per Holm"]
# Irregular genitives of municipality names in "X kommun".
MUNICIPALITY_NAMES = {"Falun": "Falu kommun", "Stockholm": "Stockholms stad"}


def _municipality_name(name: str) -> str:
    if name in MUNICIPALITY_NAMES:
        return MUNICIPALITY_NAMES[name]
    plain = name[-1].lower() in "aeiouyåäös"
    return f"{name} kommun" if plain else f"{name}s kommun"


def _actor(code: str, name: str, sector: str, kind: str, seat: Municipality) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "sector": sector,
            "kind": kind,
            "is_partner": False,
            "municipality": seat,
        },
    )
    return organisation


def _public_actors(county: County, seat: Municipality) -> dict[str, Organisation]:
    """The region, the largest municipality and its adult education of a county (existing
    rows of the register are reused)."""
    region = (
        Organisation.objects.filter(kind=OrganisationKind.REGION, municipality__county=county)
        .order_by("code")
        .first()
    ) or _actor(
        f"REG-{county.code}",
        f"Region {county.short_name}",
        Sector.PUBLIC,
        OrganisationKind.REGION,
        seat,
    )
    municipality = (
        Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY, municipality=seat)
        .order_by("code")
        .first()
    ) or _actor(
        f"K-{seat.code}",
        _municipality_name(seat.name),
        Sector.PUBLIC,
        OrganisationKind.MUNICIPALITY,
        seat,
    )
    school = _actor(
        f"VUX-{seat.code}",
        f"Vuxenutbildningen {seat.name}",
        Sector.EDUCATION,
        OrganisationKind.SCHOOL,
        seat,
    )
    return {"region": region, "municipality": municipality, "school": school}


def _letter(collaboration: Collaboration, parties: list[str]) -> bytes:
    return simple_pdf(
        [
            "AVSIKTSFÖRKLARING (demodata)",
            "",
            collaboration.title,
            "",
            f"Parter: {collaboration.organisation.name}, " + ", ".join(parties),
            f"Period: från {collaboration.starts_on.isoformat()}",
            "",
            "Parterna avser att samverka om arbetsplatsförlagt lärande och",
            "praktik för deltagare som står långt från arbetsmarknaden.",
            "Avsiktsförklaringen är inte juridiskt bindande.",
        ]
    )


def create(rng: random.Random) -> int:
    """Create the demo register once; returns how many collaborations exist."""
    if Collaboration.objects.exists():
        return Collaboration.objects.count()
    partners = list(Organisation.objects.filter(is_partner=True).order_by("code"))
    if not partners:
        return 0
    coordinators = {
        m.organisation_id: m.user
        for m in Membership.objects.filter(role=Role.COORDINATOR).select_related("user")
    }
    employment_service = Organisation.objects.filter(code="AF").first()
    areas = list(ThematicArea.objects.order_by("order", "code"))
    employers = list(Employer.objects.select_related("municipality").order_by("name"))
    made = 0
    for county in County.objects.order_by("code"):
        municipalities = list(
            Municipality.objects.filter(county=county).order_by("-population_2024", "code")
        )
        seat = municipalities[0]
        public = _public_actors(county, seat)
        present = [p for p in partners if p.units.filter(municipality__county=county).exists()]
        owners = present or partners
        local_employers = [e for e in employers if e.municipality.county_id == county.code]
        for index in range(rng.randint(2, 4)):
            owner = rng.choice(owners)
            kind = rng.choice(list(CollaborationKind))
            if index == 0 and county.code not in SINGLE_SECTOR_COUNTIES:
                kind = CollaborationKind.LETTER_OF_INTENT
            covered = [seat, *rng.sample(municipalities[1:], min(2, len(municipalities) - 1))]
            place = covered[0].name if rng.random() < 0.7 else county.short_name
            starts = TODAY - timedelta(days=rng.randint(60, 1300))
            closed = rng.random() < 0.15
            ends = (
                starts + timedelta(days=rng.randint(180, 540))
                if closed
                else (TODAY + timedelta(days=rng.randint(90, 720)) if rng.random() < 0.6 else None)
            )
            if ends is not None and ends > TODAY:
                closed = False
            collaboration = Collaboration.objects.create(
                organisation=owner,
                title=TITLES[kind].format(place=place),
                kind=kind,
                description="Demodata: en påhittad samverkan.",
                arenas=sorted(rng.sample(Arena.values, rng.randint(1, 2))),
                starts_on=starts,
                ends_on=ends if (closed or ends) else None,
                status=CollaborationStatus.CLOSED
                if closed
                else (
                    CollaborationStatus.PLANNED if starts > TODAY else CollaborationStatus.ACTIVE
                ),
                contact_name=rng.choice(CONTACTS),
                contact_email=f"samverkan.{owner.code.lower()}@example.org",
            )
            collaboration.counties.set([county])
            collaboration.municipalities.set(covered)
            if areas:
                collaboration.thematic_areas.set(rng.sample(areas, min(len(areas), 2)))
            parties: list[tuple[Organisation | None, Employer | None, str]] = []
            if county.code in SINGLE_SECTOR_COUNTIES:
                others = [p for p in present if p != owner] or [p for p in partners if p != owner]
                parties.append((rng.choice(others), None, PartyRole.PARTNER))
            else:
                parties.append((public["municipality"], None, PartyRole.PARTNER))
                if rng.random() < 0.5:
                    parties.append((public["region"], None, PartyRole.FUNDER))
                if employment_service is not None and rng.random() < 0.6:
                    parties.append((employment_service, None, PartyRole.REFERRER))
                if rng.random() < 0.5:
                    parties.append((public["school"], None, PartyRole.PARTNER))
                pool = local_employers or employers
                if pool and (kind == CollaborationKind.LETTER_OF_INTENT or rng.random() < 0.5):
                    parties.append((None, rng.choice(pool), PartyRole.HOST))
            for organisation, employer, role in parties:
                CollaborationParty.objects.create(
                    collaboration=collaboration,
                    organisation=organisation,
                    employer=employer,
                    role=role,
                )
            if kind == CollaborationKind.LETTER_OF_INTENT:
                content = _letter(collaboration, [str(o or e) for o, e, _r in parties])
                document = CollaborationDocument(
                    id=uuid.uuid4(),
                    collaboration=collaboration,
                    kind=DocumentKind.LETTER_OF_INTENT,
                    original_name=f"avsiktsforklaring-{county.code}-{index + 1}.pdf",
                    extension="pdf",
                    content_type="application/pdf",
                    size=len(content),
                    uploaded_by=coordinators.get(owner.pk),
                )
                document.file.save(f"{document.pk}.pdf", ContentFile(content), save=True)
            made += 1
    national = Collaboration.objects.create(
        organisation=partners[0],
        title="Nationellt nätverk för arbetsintegrerande civilsamhälle",
        kind=CollaborationKind.NETWORK,
        description="Demodata: partnerskapets nätverk med myndigheter på nationell nivå.",
        arenas=[Arena.WORKING_LIFE, Arena.EDUCATION_TRAINING],
        starts_on=TODAY - timedelta(days=900),
        status=CollaborationStatus.ACTIVE,
        contact_name=rng.choice(CONTACTS),
        contact_email="natverket@example.org",
    )
    # National: it names no county, so it does not hide the regional white spots.
    for organisation in partners[1:]:
        CollaborationParty.objects.create(
            collaboration=national, organisation=organisation, role=PartyRole.PARTNER
        )
    for code in ("AF", "FK"):
        agency = Organisation.objects.filter(code=code).first()
        if agency is not None:
            CollaborationParty.objects.create(
                collaboration=national, organisation=agency, role=PartyRole.EXPERT
            )
    return made + 1
