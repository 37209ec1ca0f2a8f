"""The mapping app's writes: activities are created, changed and removed only by an editor of
their organisation, each change audited in its transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from emplus.core.models import AuditEvent
from emplus.core.roles import Role
from emplus.geo.models import Municipality
from emplus.mapping import services
from emplus.mapping.models import Activity
from tests.audited import assert_audited_in_one_transaction
from tests.conftest import make_user
from tests.mapping.factories import make_activity

pytestmark = pytest.mark.django_db


def _values(org, **overrides):
    values = {
        "organisation": org,
        "title": "Jobbspår",
        "arena": "working_life",
        "phases": ["prepare"],
        "target_groups": ["young_neet"],
        "delivery_mode": "on_site",
        "start_date": dt.date(2025, 3, 1),
        "municipalities": Municipality.objects.filter(code="2521"),
    }
    return values | overrides


def test_activity_create_is_audited_in_its_transaction(coordinator, org_a):
    event = assert_audited_in_one_transaction(
        lambda: services.activity_create(actor=coordinator, code="NEW-1", **_values(org_a)),
        action="activity.created",
        state=lambda: Activity.objects.filter(code="NEW-1").count(),
    )
    activity = Activity.objects.get(code="NEW-1")
    assert event.target_id == str(activity.pk) and event.organisation_id == org_a.pk
    assert list(activity.municipalities.values_list("code", flat=True)) == ["2521"]


def test_activity_update_audits_the_changed_fields(coordinator, org_a):
    activity = make_activity(org_a, ["2521"], title="Gammal")
    event = assert_audited_in_one_transaction(
        lambda: services.activity_update(
            actor=coordinator,
            activity=activity,
            title="Ny",
            municipalities=Municipality.objects.filter(code__in=["2521", "2480"]),
        ),
        action="activity.changed",
        state=lambda: (
            Activity.objects.get(pk=activity.pk).title,
            sorted(activity.municipalities.values_list("code", flat=True)),
        ),
    )
    assert event.details == {"fields": ["municipalities", "title"]}


def test_activity_update_without_a_change_writes_nothing(coordinator, org_a):
    activity = make_activity(org_a, ["2521"], title="Samma")
    updated_at = Activity.objects.get(pk=activity.pk).updated_at
    services.activity_update(
        actor=coordinator,
        activity=activity,
        title="Samma",
        municipalities=Municipality.objects.filter(code="2521"),
    )
    assert Activity.objects.get(pk=activity.pk).updated_at == updated_at
    assert not AuditEvent.objects.filter(action="activity.changed").exists()


def test_another_organisations_coordinator_cannot_create_or_change(org_a, org_b):
    other = make_user("coordinator-b", org_b, Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        services.activity_create(actor=other, code="NEW-2", **_values(org_a))
    activity = make_activity(org_a, ["2521"], title="Orörd")
    with pytest.raises(PermissionDenied):
        services.activity_update(actor=other, activity=activity, title="Kapad")
    with pytest.raises(PermissionDenied):
        services.activity_delete(actor=other, activity=activity)
    assert Activity.objects.get(pk=activity.pk).title == "Orörd"


def test_activity_create_refuses_an_end_before_the_start(coordinator, org_a):
    with pytest.raises(ValidationError):
        services.activity_create(
            actor=coordinator,
            code="NEW-3",
            **_values(org_a, end_date=dt.date(2025, 1, 1)),
        )
    assert not Activity.objects.filter(code="NEW-3").exists()


def test_activity_save_and_delete_of_the_administration_are_audited(coordinator, org_a):
    assert_audited_in_one_transaction(
        lambda: services.activity_save(
            actor=coordinator,
            activity=Activity(
                code="ADM-1",
                organisation=org_a,
                title="Från administrationen",
                arena="working_life",
                delivery_mode="on_site",
                start_date=dt.date(2025, 1, 1),
            ),
            fields=["title"],
        ),
        action="activity.created",
        state=lambda: Activity.objects.filter(code="ADM-1").count(),
    )
    activity = Activity.objects.get(code="ADM-1")
    event = assert_audited_in_one_transaction(
        lambda: services.activity_delete(
            actor=coordinator, activity=Activity.objects.get(pk=activity.pk)
        ),
        action="activity.deleted",
        state=lambda: Activity.objects.filter(code="ADM-1").count(),
    )
    assert event.details == {"code": "ADM-1"}
