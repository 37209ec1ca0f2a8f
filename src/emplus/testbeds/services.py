"""Writes of the test beds: the bed itself (edited in the administration) and its learning log;
each one transaction, audited in it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction

from emplus.core.audit import audit_log
from emplus.core.typing import User
from emplus.organisations.permissions import can_change_owned
from emplus.testbeds.models import LearningLogEntry, TestBed

# Directory data, not personal data: audited so that every change has an author.
PURPOSE = "directory"


def test_bed_can_change(*, actor: User, test_bed: TestBed) -> bool:
    """A coordinator (or administrator) of the lead organisation changes the bed."""
    return test_bed.lead_organisation_id is not None and can_change_owned(
        actor, [test_bed.lead_organisation_id], "testbed.change"
    )


@transaction.atomic
def learning_log_entry_add(
    *, actor: User, test_bed: TestBed, entry_date: date, text: str
) -> LearningLogEntry:
    """A dated entry of what the test bed learnt, by an editor of its lead organisation."""
    if not test_bed_can_change(actor=actor, test_bed=test_bed):
        raise PermissionDenied("Only the lead organisation keeps the learning log.")
    entry = LearningLogEntry(test_bed=test_bed, entry_date=entry_date, text=text)
    entry.full_clean()
    entry.save()
    audit_log(
        actor=actor,
        action="learning_log.added",
        target=test_bed,
        organisation=test_bed.lead_organisation_id,
        purpose=PURPOSE,
        details={"entry": str(entry.pk)},
    )
    return entry


@transaction.atomic
def test_bed_save(
    *,
    actor: User,
    test_bed: TestBed,
    fields: Sequence[str],
    save_related: Callable[[], None] | None = None,
) -> TestBed:
    """Store a test bed edited in the administration with its related rows (`save_related`:
    partners, methods, goals, learning log), audited with the names of the changed fields."""
    created = test_bed._state.adding
    test_bed.full_clean()
    test_bed.save()
    if save_related is not None:
        save_related()
    audit_log(
        actor=actor,
        action="test_bed.created" if created else "test_bed.changed",
        target=test_bed,
        organisation=test_bed.lead_organisation_id,
        purpose=PURPOSE,
        details={"code": test_bed.code, "fields": sorted(fields)},
    )
    return test_bed


@transaction.atomic
def test_bed_delete(*, actor: User, test_bed: TestBed) -> None:
    """Remove a test bed (the administration's delete); the audit keeps its code."""
    audit_log(
        actor=actor,
        action="test_bed.deleted",
        target=test_bed,
        organisation=test_bed.lead_organisation_id,
        purpose=PURPOSE,
        details={"code": test_bed.code},
    )
    test_bed.delete()
