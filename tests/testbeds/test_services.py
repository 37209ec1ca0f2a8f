"""The test beds' writes: the learning log by the lead organisation, the bed itself from the
administration; each audited in its transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from emplus.core.roles import Role
from emplus.testbeds import services
from emplus.testbeds.models import LearningLogEntry
from emplus.testbeds.models import TestBed as Bed  # not "Test…": pytest would collect it
from tests.audited import assert_audited_in_one_transaction
from tests.conftest import make_user
from tests.mapping.factories import make_test_bed

pytestmark = pytest.mark.django_db


@pytest.fixture
def bed(org_a):
    return make_test_bed(code="TB-SRV", lead_organisation=org_a)


def test_learning_log_entry_add_is_audited_in_its_transaction(coordinator, bed, org_a):
    event = assert_audited_in_one_transaction(
        lambda: services.learning_log_entry_add(
            actor=coordinator, test_bed=bed, entry_date=dt.date(2025, 6, 1), text="Lärdom"
        ),
        action="learning_log.added",
        state=lambda: LearningLogEntry.objects.filter(test_bed=bed).count(),
    )
    entry = LearningLogEntry.objects.get(test_bed=bed)
    assert event.details == {"entry": str(entry.pk)}
    assert event.organisation_id == org_a.pk and event.target_id == str(bed.pk)


def test_only_the_lead_organisation_keeps_the_learning_log(bed, org_b, coach):
    for actor in (make_user("coordinator-b", org_b, Role.COORDINATOR), coach):
        with pytest.raises(PermissionDenied):
            services.learning_log_entry_add(
                actor=actor, test_bed=bed, entry_date=dt.date(2025, 6, 1), text="Nej"
            )
    assert not LearningLogEntry.objects.exists()


def test_learning_log_entry_needs_a_text(coordinator, bed):
    with pytest.raises(ValidationError):
        services.learning_log_entry_add(
            actor=coordinator, test_bed=bed, entry_date=dt.date(2025, 6, 1), text=""
        )
    assert not LearningLogEntry.objects.exists()


def test_test_bed_save_and_delete_are_audited_in_their_transaction(coordinator, org_a):
    related_saved = []
    event = assert_audited_in_one_transaction(
        lambda: services.test_bed_save(
            actor=coordinator,
            test_bed=Bed(code="TB-NEW", name="Ny bädd", lead_organisation=org_a),
            fields=["name", "code"],
            save_related=lambda: related_saved.append(True),
        ),
        action="test_bed.created",
        state=lambda: Bed.objects.filter(code="TB-NEW").count(),
    )
    assert event.details == {"code": "TB-NEW", "fields": ["code", "name"]}
    assert related_saved  # the related rows are stored inside the same service call
    bed = Bed.objects.get(code="TB-NEW")
    bed.name = "Omdöpt"
    changed = services.test_bed_save(actor=coordinator, test_bed=bed, fields=["name"])
    assert Bed.objects.get(pk=changed.pk).name == "Omdöpt"
    assert_audited_in_one_transaction(
        lambda: services.test_bed_delete(
            actor=coordinator, test_bed=Bed.objects.get(code="TB-NEW")
        ),
        action="test_bed.deleted",
        state=lambda: Bed.objects.filter(code="TB-NEW").count(),
    )
