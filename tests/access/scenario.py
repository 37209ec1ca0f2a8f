"""The partnership the access matrix walks: two organisations with two units each, the personas,
and in every unit participants with distinctive names and references, enrolments, consents,
time, self-service links, activities, an ESF project with a sent report file and an effect
estimate per organisation. Built once per test module (see conftest.py).

Every participant's family name starts with the unit's stem (FAMILY) and every reference with
its prefix (REF): a response that shows a name or reference of a unit outside the persona's
SCOPE is a leak, whatever its status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from emplus.accounts.services import api_token_create
from emplus.calls.services import call_create, consortium_create
from emplus.collaborations import services as collaboration_services
from emplus.collaborations.letters import simple_pdf
from emplus.collaborations.services import PartyInput
from emplus.core.roles import Role
from emplus.esf import report_core
from emplus.esf import services as esf_services
from emplus.evidence import services as evidence_services
from emplus.geo.models import County
from emplus.geo.services import reference_data_load
from emplus.innovation import services as innovation_services
from emplus.pathways import services as pathway_services
from emplus.pathways.models import Instrument
from emplus.plans import services as plan_services
from emplus.selfservice import services as selfservice_services
from emplus.skills import services as skills_services
from emplus.skills.models import SkillArea
from emplus.worklife import services as worklife_services
from tests.factories import (
    ActivityFactory,
    ConsentFactory,
    EnrolmentFactory,
    ESFProjectFactory,
    MembershipFactory,
    MethodFactory,
    OrganisationFactory,
    ParticipantFactory,
    SelfServiceLinkFactory,
    TestBedFactory,
    ThematicAreaFactory,
    UnitFactory,
    make_user,
    verify_session,
)

# The personas, in the column order of matrix.csv.
PERSONAS = (
    "anonymous",  # not logged in
    "coach",  # coach of unit A1 in organisation A
    "other_coach",  # coach of unit A2, same organisation
    "coordinator",  # coordinator of organisation A
    "other_coordinator",  # coordinator of organisation B
    "analyst",  # analyst of organisation A
    "admin",  # partnership administrator (administrator role in A, Django-admin staff)
    "mixed",  # coordinator of organisation A and coach of unit B1 in organisation B
    "no_role",  # logged in, no membership anywhere
)

# The units whose participants each persona may see by name (case work).
SCOPE: dict[str, frozenset[str]] = {
    "anonymous": frozenset(),
    "coach": frozenset({"a1"}),
    "other_coach": frozenset({"a2"}),
    "coordinator": frozenset({"a1", "a2"}),
    "other_coordinator": frozenset({"b1", "b2"}),
    "analyst": frozenset(),
    "admin": frozenset(),
    "mixed": frozenset({"a1", "a2", "b1"}),
    "no_role": frozenset(),
}

# Distinctive family-name stems and reference prefixes per unit (never used for anything else).
FAMILY = {"a1": "Hallonqvist", "a2": "Vinbarsdal", "b1": "Lingonberg", "b2": "Krusbarsholm"}
REF = {"a1": "MXA1-", "a2": "MXA2-", "b1": "MXB1-", "b2": "MXB2-"}
GIVEN = ("Amina", "Elsa", "Oskar", "Leila", "Nils", "Farah", "Iris", "Jonas", "Sanna", "Ali")
# Enough rows that an N+1 query on a list shows in its query budget.
PARTICIPANTS_PER_UNIT = {"a1": 14, "a2": 6, "b1": 8, "b2": 4}
ACTIVITIES_PER_ORGANISATION = {"a": 12, "b": 6}

ENTRY = dt.date(2025, 1, 10)
JANUARY = dt.date(2025, 1, 1)
FEBRUARY = dt.date(2025, 2, 1)
ESF_MONTH = report_core.Month(2025, 1)


@dataclass
class Target:
    """The objects a route's path parameters are filled with for one target (a1, a2, b1 for
    personal records; a, b for an organisation's rows)."""

    organisation: object = None
    unit: object = None
    participant: object = None
    enrolment: object = None
    consent: object = None
    event: object = None
    assessment: object = None
    link: object = None
    monthly_time: object = None
    attestation: object = None
    exited_enrolment: object = None  # an earlier, finished enrolment (follow-up)
    activity: object = None
    project: object = None
    report_file: object = None
    estimate: object = None
    test_bed: object = None
    placement: object = None  # working life (issue 10): a participant's records
    education: object = None
    income: object = None
    gig: object = None
    employer: object = None  # an organisation's employer and its business contact
    contact: object = None
    call: object = None  # a funding call the organisation registered (issue 11)
    skill_need: object = None  # skills development: the organisation's need, course, occasion,
    course: object = None  # a completed registration of one of its staff and that person
    occasion: object = None
    registration: object = None
    staff: object = None
    consortium: object = None  # a consortium the organisation leads, for its call
    consortium_partner: object = None  # the consortium's lead partner row
    plan: object = None  # action plans (issue 12): the organisation's plan, a goal, an action
    goal: object = None
    plan_action: object = None
    collaboration: object = None  # an organisation's collaboration and its attached letter
    document: object = None
    opportunity: object = None  # an organisation's opportunity; a participant's proposal to it
    proposal: object = None
    idea: object = None  # the innovation pipeline: an idea of the organisation


@dataclass
class Scenario:
    users: dict[str, object] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)  # session keys, verified
    targets: dict[str, Target] = field(default_factory=dict)
    method: object = None
    area: object = None
    token_id: str = ""
    instrument: object = None
    employers: dict[str, object] = field(default_factory=dict)  # by organisation key a, b
    opportunities: dict[str, object] = field(default_factory=dict)  # by organisation key a, b

    def client(self, persona: str) -> Client:
        """A new client in the persona's session (a request that logs out or changes the
        session's cookie affects only this client; the database is rolled back after it)."""
        client = Client()
        if self.cookies[persona]:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.cookies[persona]
        return client

    def admin_object(self, model):
        """The row a Django-admin page of `model` is walked with: one of organisation B where
        the model has an organisation, else the other coordinator's own row, else any."""
        organisation_b = self.targets["b"].organisation
        if model is type(organisation_b):
            return organisation_b
        if model is type(self.users["coach"]):
            return self.users["other_coordinator"]
        manager = model._default_manager
        for f in model._meta.get_fields():
            if not (f.many_to_one and f.concrete):
                continue
            related = f.related_model
            if related is type(organisation_b):
                value = organisation_b
            elif related is type(self.users["coach"]):
                value = self.users["other_coordinator"]
            elif related is type(self.targets["b1"].participant):
                value = self.targets["b1"].participant
            else:
                continue
            found = manager.filter(**{f.name: value}).order_by("pk").first()
            if found is not None:
                return found
        return model._default_manager.order_by("pk").first()


def _participant(scenario, unit_key, unit, actor, index, *, with_records):
    n = index + 1
    participant = ParticipantFactory(
        actor=actor,
        unit=unit,
        participant_ref=f"{REF[unit_key]}{n:03d}",
        given_name=GIVEN[index % len(GIVEN)],
        family_name=f"{FAMILY[unit_key]}{n}",
        gender=("woman", "man")[index % 2],
        isced=3,
    )
    consent = ConsentFactory(
        actor=actor, participant=participant, given_on=ENTRY, employer_proposals=with_records
    )
    exited = None
    if with_records:
        exited = EnrolmentFactory(
            actor=actor, participant=participant, entry_date=dt.date(2024, 3, 1), steps=1
        )
        pathway_services.enrolment_exit(
            actor=actor, enrolment=exited, exit_date=dt.date(2024, 6, 28), reason="completed"
        )
    enrolment = EnrolmentFactory(actor=actor, participant=participant, entry_date=ENTRY, steps=2)
    event = pathway_services.event_record(
        actor=actor, enrolment=enrolment, kind="placement_started", occurred_on=ENTRY
    )
    pathway_services.goal_record(actor=actor, enrolment=enrolment, description="Truckkort")
    assessment = pathway_services.assessment_record(
        actor=actor,
        enrolment=enrolment,
        instrument=scenario.instrument,
        assessed_on=ENTRY,
        scores=dict.fromkeys(scenario.instrument.dimensions.values_list("code", flat=True), 3),
    )
    if not with_records:
        return None
    link = SelfServiceLinkFactory(actor=actor, participant=participant, month=JANUARY)
    attestation = selfservice_services.time_attestation_record_paper(
        actor=actor, participant=participant, month=FEBRUARY, paper_date=dt.date(2025, 3, 3)
    )
    placement = worklife_services.placement_record(
        actor=actor,
        participant=participant,
        employer=scenario.employers[unit_key[0]],
        kind="work_trial",
        started_on=dt.date(2025, 2, 3),
    )
    education = worklife_services.education_record(
        actor=actor,
        participant=participant,
        provider_kind="folk_high_school",
        provider_name="Matrisskolan",
        programme="Allmän kurs",
        started_on=dt.date(2025, 2, 3),
        planned_end=dt.date(2025, 6, 13),
    )
    income = worklife_services.income_record_set(
        actor=actor, participant=participant, month=JANUARY, source="employment", amount=16000
    )
    gig = worklife_services.gig_assignment_record(
        actor=actor,
        participant=participant,
        company="Matrisbolaget",
        client="Kund",
        started_on=dt.date(2025, 2, 3),
        hours=8,
        invoiced=3000,
        salary_paid=2000,
    )
    worklife_services.work_profile_set(
        actor=actor, participant=participant, occupational_goals=["9412"], max_commute_km=30
    )
    proposal = worklife_services.proposal_create(
        actor=actor,
        opportunity=scenario.opportunities[unit_key[0]],
        participant=participant,
        proposed_on=dt.date(2025, 2, 10),
    )
    return Target(
        placement=placement,
        education=education,
        income=income,
        gig=gig,
        proposal=proposal,
        participant=participant,
        enrolment=enrolment,
        consent=consent,
        event=event,
        assessment=assessment,
        link=link,
        monthly_time=link.participant.monthly_times.get(month=JANUARY),
        attestation=attestation,
        exited_enrolment=exited,
    )


def build() -> Scenario:
    reference_data_load()
    scenario = Scenario(instrument=Instrument.objects.get(code="VAGEN", version=1))
    org_a = OrganisationFactory(code="MTXA", name="Matrisförbundet", municipality_id="0180")
    org_b = OrganisationFactory(
        code="MTXB", name="Tabellföreningen", kind="trade_union", municipality_id="1280"
    )
    units = {
        "a1": UnitFactory(organisation=org_a, name="Umeå", municipality_id="2480"),
        "a2": UnitFactory(organisation=org_a, name="Pajala", municipality_id="2521"),
        "b1": UnitFactory(organisation=org_b, name="Malmö", municipality_id="1280"),
        "b2": UnitFactory(organisation=org_b, name="Lund", municipality_id="1281"),
    }
    users = scenario.users
    users["coach"] = make_user("mx-coach", org_a, Role.COACH, units["a1"])
    users["other_coach"] = make_user("mx-other-coach", org_a, Role.COACH, units["a2"])
    users["coordinator"] = make_user("mx-coordinator", org_a, Role.COORDINATOR)
    users["other_coordinator"] = make_user("mx-other-coordinator", org_b, Role.COORDINATOR)
    users["analyst"] = make_user("mx-analyst", org_a, Role.ANALYST)
    users["admin"] = make_user("mx-admin", org_a, Role.ADMIN)
    users["mixed"] = make_user("mx-mixed", org_a, Role.COORDINATOR)
    MembershipFactory(user=users["mixed"], organisation=org_b, role=Role.COACH, unit=units["b1"])
    users["no_role"] = make_user("mx-no-role")
    other_analyst = make_user("mx-other-analyst", org_b, Role.ANALYST)
    coach_of = {
        "a1": users["coach"],
        "a2": users["other_coach"],
        "b1": users["other_coordinator"],
        "b2": users["other_coordinator"],
    }

    for key, organisation, coordinator in (
        ("a", org_a, users["coordinator"]),
        ("b", org_b, users["other_coordinator"]),
    ):
        employer = worklife_services.employer_create(
            actor=coordinator,
            organisation=organisation,
            name=f"Matrisbageriet {key.upper()} AB",
            organisation_number={"a": "556036-0793", "b": "802012-3454"}[key],
            sni_division="10",
            municipality=organisation.municipality,
            size_band="10-49",
        )
        worklife_services.employer_contact_add(
            actor=coordinator, employer=employer, name=f"Kontakt {key.upper()}"
        )
        scenario.employers[key] = employer
        scenario.opportunities[key] = worklife_services.opportunity_create(
            actor=coordinator,
            organisation=organisation,
            employer=employer,
            title=f"Matrisjobb {key.upper()}",
            kind="work_trial",
            ssyk_code="9412",
            municipality=organisation.municipality,
        )

    for key, unit in units.items():
        for index in range(PARTICIPANTS_PER_UNIT[key]):
            made = _participant(scenario, key, unit, coach_of[key], index, with_records=index == 0)
            if made is not None:
                made.organisation, made.unit = unit.organisation, unit
                scenario.targets[key] = made

    scenario.area = ThematicAreaFactory(code="MXAREA", name_sv="Matrisområde")
    scenario.method = MethodFactory(code="MX-METOD", name="Matrismetoden")
    scenario.method.owners.set([org_b])  # kept by B (methods:edit; the admin walks B's rows)
    for key, organisation, coordinator, analyst in (
        ("a", org_a, users["coordinator"], users["analyst"]),
        ("b", org_b, users["other_coordinator"], other_analyst),
    ):
        activities = [
            ActivityFactory(
                actor=coordinator,
                organisation=organisation,
                title=f"Jobbspår {key.upper()}{i}",
                methods=[scenario.method],
                thematic_areas=[scenario.area],
            )
            for i in range(ACTIVITIES_PER_ORGANISATION[key])
        ]
        project = ESFProjectFactory(
            actor=coordinator,
            organisation=organisation,
            participating_units=[u for k, u in units.items() if k.startswith(key)],
        )
        report_file = esf_services.esf_report_generate(
            actor=coordinator, project=project, month=ESF_MONTH, today=dt.date(2025, 2, 3)
        )
        esf_services.esf_report_mark_sent(actor=coordinator, report_file=report_file)
        estimate = evidence_services.effect_estimate_start(
            actor=analyst,
            treatment={
                "organisation": organisation.code,
                "method": "",
                "county": "",
                "test_bed": "",
            },
            comparison_kind="group",
            comparison={"organisation": "", "method": "", "county": "", "test_bed": ""},
            comparison_rows=[],
            outcome="exit_employed",
            covariates=["isced", "age_at_entry"],
            method="ipw",
            seed=7,
        )
        collaboration = collaboration_services.collaboration_create(
            actor=coordinator,
            organisation=organisation,
            title=f"Matrissamverkan {key.upper()}",
            kind="letter_of_intent",
            starts_on=dt.date(2025, 1, 1),
            parties=[PartyInput(role="host", employer=scenario.employers[key])],
        )
        document = collaboration_services.collaboration_document_attach(
            actor=coordinator,
            collaboration=collaboration,
            file=SimpleUploadedFile(f"avsikt-{key}.pdf", simple_pdf([f"Avsikt {key}"])),
        )
        scenario.targets[key] = Target(
            collaboration=collaboration,
            document=document,
            employer=scenario.employers[key],
            contact=scenario.employers[key].contacts.get(),
            opportunity=scenario.opportunities[key],
            organisation=organisation,
            unit=units[f"{key}1"],
            activity=activities[0],
            project=project,
            report_file=report_file,
            estimate=estimate,
            test_bed=TestBedFactory(
                code=f"MX-TB-{key.upper()}",
                name=f"Testbädd {key.upper()}",
                lead_organisation=organisation,
            ),
            call=call_create(
                actor=coordinator,
                organisation=organisation,
                funder="vinnova",
                title=f"Utlysning {key.upper()}",
                deadline=timezone.localdate() + dt.timedelta(days=60),
            ),
        )
        target = scenario.targets[key]
        target.consortium = consortium_create(
            actor=coordinator,
            call=target.call,
            lead_organisation=organisation,
            title=f"Konsortium {key.upper()}",
        )
        target.consortium_partner = target.consortium.partners.get()
        _add_plan(scenario.targets[key], coordinator)

    _skills(scenario)
    _innovation(scenario)
    _token, scenario.token_id = _api_token(users["coordinator"])
    for persona in PERSONAS:
        client = Client()
        user = users.get(persona)
        if user is not None:
            verify_session(client, user)
        cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
        scenario.cookies[persona] = cookie.value if cookie else ""
    return scenario


def _skills(scenario):
    """Per organisation a skills need, a course with an occasion, and a completed registration
    of one staff member (A: the coach of A1; B: the other coordinator)."""
    skills_services.skill_area_reference_load()
    area = SkillArea.objects.get(code="MI")
    county = County.objects.get(code="24")
    users = scenario.users
    for key, coordinator, staff in (
        ("a", users["coordinator"], users["coach"]),
        ("b", users["other_coordinator"], users["other_coordinator"]),
    ):
        target = scenario.targets[key]
        organisation = target.organisation
        target.skill_need = skills_services.skill_need_record(
            actor=coordinator,
            organisation=organisation,
            skill_area=area,
            county=county,
            staff_kind="staff",
            people=3,
            urgency="high",
        )
        target.course = skills_services.course_save(
            actor=coordinator,
            course=None,
            organisation=organisation,
            fields={
                "title": f"Matriskurs {key.upper()}",
                "provider": "Matrisakademin",
                "format": "online",
                "length_hours": 8,
                "language": "sv",
                "target_roles": ["coach"],
            },
            skill_areas=[area],
        )
        target.occasion = skills_services.course_occasion_add(
            actor=coordinator,
            course=target.course,
            starts_on=JANUARY,
            ends_on=FEBRUARY,
            county=None,
            place="",
            places=10,
        )
        registration = skills_services.registration_create(
            actor=coordinator,
            occasion=target.occasion,
            person=staff,
            organisation=organisation,
            county=county,
        )
        target.registration = skills_services.registration_complete(
            actor=coordinator, registration=registration, completed_on=FEBRUARY
        )
        target.staff = staff


def _add_plan(target, coordinator):
    """An action plan of the organisation with a goal on its participants and an action."""
    plan = plan_services.plan_create(
        actor=coordinator,
        title=f"Handlingsplan {target.organisation.code}",
        owner_kind="organisation",
        organisation=target.organisation,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    target.plan = plan
    target.goal = plan_services.goal_add(
        actor=coordinator,
        plan=plan,
        title="Deltagare",
        kind="esf",
        indicator_code="EECO01",
        organisation=target.organisation,
        baseline=Decimal("0"),
        target=Decimal("40"),
        deadline=dt.date(2026, 12, 31),
    )
    target.plan_action = plan_services.action_add(
        actor=coordinator,
        goal=target.goal,
        title="Rekrytera",
        responsible=target.organisation,
        due_date=dt.date(2026, 6, 30),
    )


def _innovation(scenario):
    """Per organisation an idea at its first stage, registered by its coordinator."""
    innovation_services.stage_criteria_load()
    for key, coordinator in (
        ("a", scenario.users["coordinator"]),
        ("b", scenario.users["other_coordinator"]),
    ):
        scenario.targets[key].idea = innovation_services.idea_create(
            actor=coordinator,
            organisation=scenario.targets[key].organisation,
            title=f"Matrisidé {key.upper()}",
            problem="Ett problem.",
            proposed_solution="En lösning.",
            target_group="Alla",
            thematic_area=scenario.area,
        )


def _api_token(user):
    from emplus.accounts.services import api_token_id

    record, _secret = api_token_create(user=user, name="matrix", second_factor_verified=True)
    return record, api_token_id(record.auth_token)
