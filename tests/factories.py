"""factory_boy factories of the platform's objects, shared by all tests.

Directory rows (organisations, units, users, methods, test beds) are plain model factories.
Personal and audited rows (memberships, participants, enrolments, consents, activities, ESF
projects, self-service links) go through the services, exactly as the pages and the API make
them: encrypted identity, pseudonym and audit entry included. The services take an `actor`; a
factory is given one (`actor=...`) or uses a coordinator of the row's organisation.

    participant = ParticipantFactory(unit=unit, actor=coach, family_name="Hallonqvist")
    enrolment = EnrolmentFactory(participant=participant, actor=coach)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from emplus.core.roles import Role
from emplus.esf import services as esf_services
from emplus.esf.models import ESFProject
from emplus.mapping import services as mapping_services
from emplus.mapping.models import Activity
from emplus.methods.models import Method, ThematicArea
from emplus.organisations.models import Membership, Organisation, Unit
from emplus.organisations.services import membership_grant
from emplus.pathways import services as pathway_services
from emplus.pathways.models import Consent, Enrolment, Participant
from emplus.selfservice import services as selfservice_services
from emplus.selfservice.models import SelfServiceLink
from emplus.testbeds.models import TestBed

PASSWORD = "a-long-test-password-42"  # noqa: S105 - a test password


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 - i % 2)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def personnummer(birth: dt.date, serial: int) -> str:
    """A personnummer with a valid check digit (made up for tests; serial 0-999)."""
    nine = f"{birth:%y%m%d}{serial % 1000:03d}"
    return f"{birth.year}{nine[2:6]}-{nine[6:]}{luhn_digit(nine)}"


# --- directory -------------------------------------------------------------------------------


class OrganisationFactory(factory.django.DjangoModelFactory):
    """Needs the municipalities (the `geo` fixture, or `reference_data_load()`)."""

    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ORG{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Organisation {o.code}")
    sector = "civil_society"
    kind = "association"
    is_partner = True
    municipality_id = "0180"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("organisation", "name")

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")
    kind = "branch"
    municipality_id = factory.LazyAttribute(lambda u: u.organisation.municipality_id)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    first_name = "Test"
    last_name = factory.LazyAttribute(lambda u: u.username.capitalize())
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(factory.Factory):
    """A role through the audited service (`membership_grant`), as the command line gives it."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.COORDINATOR
    unit = None

    @classmethod
    def _create(cls, model_class, **values):
        return membership_grant(**values)


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator app (log the session in with `verify_session`)."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "phone"
    confirmed = True


def verify_session(client, user) -> TOTPDevice:
    """Log `client` in as `user` with a verified second factor, as after entering the code."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDeviceFactory(
        user=user
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def make_user(username, organisation=None, role=None, unit=None, **fields):
    """A user with (optionally) one role; more roles with MembershipFactory."""
    user = UserFactory(username=username, **fields)
    if organisation is not None:
        MembershipFactory(user=user, organisation=organisation, role=role, unit=unit)
    return user


class ThematicAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThematicArea
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AREA{n}")
    name_sv = factory.LazyAttribute(lambda a: f"Område {a.code}")
    name_en = factory.LazyAttribute(lambda a: f"Area {a.code}")


class MethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Method
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"M-{n:03d}")
    name = factory.LazyAttribute(lambda m: f"Metod {m.code}")
    phases = factory.LazyFunction(lambda: ["prepare"])
    arenas = factory.LazyFunction(lambda: ["working_life"])


class TestBedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TestBed
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TB-{n:03d}")
    name = factory.LazyAttribute(lambda t: f"Testbädd {t.code}")


# --- audited rows (through the services) -----------------------------------------------------


def _coordinator_of(organisation):
    """The actor a factory uses when none is given: a coordinator of the organisation."""
    membership = Membership.objects.filter(organisation=organisation, role=Role.COORDINATOR).first()
    if membership is not None:
        return membership.user
    return make_user(f"coordinator-{organisation.code.lower()}", organisation, Role.COORDINATOR)


class ActivityFactory(factory.Factory):
    """An activity of an organisation (`mapping_services.activity_create`)."""

    class Meta:
        model = Activity

    actor = None
    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"T-{n:05d}")
    title = factory.Sequence(lambda n: f"Aktivitet {n}")
    arena = "working_life"
    phases = factory.LazyFunction(lambda: ["prepare"])
    target_groups = factory.LazyFunction(lambda: ["young_neet"])
    start_date = dt.date(2025, 1, 1)
    municipalities = factory.LazyAttribute(lambda a: [a.organisation.municipality])

    @classmethod
    def _create(cls, model_class, *, actor=None, **values):
        actor = actor or _coordinator_of(values["organisation"])
        return mapping_services.activity_create(actor=actor, **values)


class ParticipantFactory(factory.Factory):
    """A participant registered by a coach or coordinator (`participant_register`)."""

    class Meta:
        model = Participant

    actor = None
    unit = factory.SubFactory(UnitFactory)
    organisation = factory.LazyAttribute(lambda p: p.unit.organisation)
    participant_ref = factory.Sequence(lambda n: f"P-{n:04d}")
    given_name = "Testa"
    family_name = factory.Sequence(lambda n: f"Testsson{n}")
    gender = "woman"
    birth_date = factory.Sequence(lambda n: dt.date(1980 + n % 25, 1 + n % 12, 1 + n % 28))
    personal_id = factory.LazyAttributeSequence(lambda p, n: personnummer(p.birth_date, n))
    municipality = factory.LazyAttribute(lambda p: p.unit.municipality)
    lm_status_entry = "unemployed"

    @classmethod
    def _create(cls, model_class, *, actor=None, **values):
        actor = actor or _coordinator_of(values["organisation"])
        return pathway_services.participant_register(actor=actor, **values).participant


class ConsentFactory(factory.Factory):
    class Meta:
        model = Consent

    actor = None
    participant = factory.SubFactory(ParticipantFactory)
    information_version = "1"
    given_on = dt.date(2025, 1, 10)
    case_work = True
    statistics = True

    @classmethod
    def _create(cls, model_class, *, actor=None, **values):
        actor = actor or _coordinator_of(values["participant"].organisation)
        return pathway_services.consent_record(actor=actor, **values)


class EnrolmentFactory(factory.Factory):
    """An open enrolment, with `steps` steps of ten hours each from the entry date on."""

    class Meta:
        model = Enrolment

    actor = None
    participant = factory.SubFactory(ParticipantFactory)
    entry_date = dt.date(2025, 1, 10)
    steps = 1

    @classmethod
    def _create(cls, model_class, *, actor=None, steps=1, **values):
        actor = actor or _coordinator_of(values["participant"].organisation)
        enrolment = pathway_services.enrolment_start(actor=actor, **values)
        for i in range(steps):
            start = values["entry_date"] + dt.timedelta(days=30 * i)
            pathway_services.step_record(
                actor=actor,
                enrolment=enrolment,
                phase="prepare",
                activity=f"Steg {i + 1}",
                started_on=start,
                ended_on=start + dt.timedelta(days=20),
                hours=Decimal("10"),
            )
        return enrolment


class ESFProjectFactory(factory.Factory):
    class Meta:
        model = ESFProject

    actor = None
    organisation = factory.SubFactory(OrganisationFactory)
    case_number = factory.Sequence(lambda n: f"2026/{n:05d}")
    title = factory.Sequence(lambda n: f"Vägen till arbete {n}")
    programme_area = "not_employed"
    start_date = dt.date(2025, 1, 1)
    end_date = dt.date(2026, 12, 31)
    participating_units = ()

    @classmethod
    def _create(cls, model_class, *, actor=None, **values):
        actor = actor or _coordinator_of(values["organisation"])
        return esf_services.esf_project_create(actor=actor, **values)


class SelfServiceLinkFactory(factory.Factory):
    """A one-time link to attest a month's hours (the participant needs an enrolment with
    hours in that month)."""

    class Meta:
        model = SelfServiceLink

    actor = None
    participant = factory.SubFactory(ParticipantFactory)
    purpose = "attest_time"
    month = dt.date(2025, 1, 1)

    @classmethod
    def _create(cls, model_class, *, actor=None, **values):
        actor = actor or _coordinator_of(values["participant"].organisation)
        return selfservice_services.selfservice_link_create(actor=actor, **values).link
