"""Personas and shared fixtures: a small partnership with two organisations, made with the
factories of tests/factories.py. The access matrix (tests/access) has its own, larger
partnership with every persona, built once per module."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test.utils import override_settings
from hypothesis import settings as hypothesis_settings

from emplus.core.roles import Role
from emplus.geo.services import reference_data_load
from tests.factories import PASSWORD, OrganisationFactory, UnitFactory, make_user

__all__ = ["PASSWORD", "make_user"]

# Hypothesis tests check rules, not speed: an example slowed by a busy machine (the two halves
# of scripts/test run side by side) is no failure, so no per-example deadline.
hypothesis_settings.register_profile("emplus", deadline=None)
hypothesis_settings.load_profile("emplus")


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    # Stored files (attached documents) go to a directory of the test run, never to var/.
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that are not about hashing need not pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Search tokens, rate-limit counts and throttles live in the cache, kept reports in their
    # own (decision 65), keyed by ids that the next test's database reuses: every test starts
    # with empty caches.
    for alias in settings.CACHES:
        caches[alias].clear()
    yield


@pytest.fixture
def geo(db):
    reference_data_load()


@pytest.fixture
def org_a(geo):
    return OrganisationFactory(code="ORGA", name="Organisation A", municipality_id="0180")


@pytest.fixture
def org_b(geo):
    return OrganisationFactory(
        code="ORGB", name="Organisation B", kind="trade_union", municipality_id="2480"
    )


@pytest.fixture
def unit_a1(org_a):
    return UnitFactory(organisation=org_a, name="A Umeå", municipality_id="2480")


@pytest.fixture
def unit_a2(org_a):
    return UnitFactory(organisation=org_a, name="A Pajala", municipality_id="2521")


@pytest.fixture
def unit_b1(org_b):
    return UnitFactory(organisation=org_b, name="B Malmö", kind="district", municipality_id="1280")


@pytest.fixture
def coach(org_a, unit_a1):
    return make_user("coach-a", org_a, Role.COACH, unit_a1)


@pytest.fixture
def coordinator(org_a):
    return make_user("coordinator-a", org_a, Role.COORDINATOR)


@pytest.fixture
def analyst(org_a):
    return make_user("analyst-a", org_a, Role.ANALYST)


@pytest.fixture
def admin_user(org_a):
    return make_user("admin-a", org_a, Role.ADMIN)


@pytest.fixture
def other_unit_coach(org_a, unit_a2):
    return make_user("coach-a2", org_a, Role.COACH, unit_a2)


@pytest.fixture
def other_org_coach(org_b, unit_b1):
    return make_user("coach-b", org_b, Role.COACH, unit_b1)


@pytest.fixture
def other_org_coordinator(org_b):
    return make_user("coordinator-b", org_b, Role.COORDINATOR)


@pytest.fixture
def no_role_user(db):
    return make_user("nobody")


def import_basis(**changes):
    """The legal basis an import records for the participants it creates (case work and
    statistics, by consent, unless changed)."""
    from datetime import date

    from emplus.pathways.services import ConsentTerms

    values = {
        "information_version": "1",
        "given_on": date(2024, 1, 1),
        "purposes": frozenset({"case_work", "statistics"}),
        **changes,
    }
    return ConsentTerms(**values)


# The import page's legal-basis fields (forms.ImportBasisForm, prefix "basis").
IMPORT_FORM_BASIS = {
    "basis-legal_basis": "consent",
    "basis-purposes": ["case_work", "statistics"],
    "basis-information_version": "1",
    "basis-given_on": "2024-01-01",
}
