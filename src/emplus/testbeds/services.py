"""Writes of the test beds: the bed itself (pages and administration), its goals and learning log;
each one transaction, audited in it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TypedDict, Unpack

from django.core.exceptions import PermissionDenied
from django.db import transaction

from emplus.core.audit import audit_log
from emplus.core.typing import User
from emplus.geo.models import County, Municipality
from emplus.methods.models import Method, ThematicArea
from emplus.organisations.models import Organisation
from emplus.organisations.permissions import can_change_owned
from emplus.testbeds.models import LearningLogEntry, TestBed, TestBedGoal

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


# --- pages: coordinators keep the test beds their organisation leads ---------------------------


class TestBedValues(TypedDict, total=False):
    """What the test bed form sets (the code apart)."""

    name: str
    county: County | None
    lead_organisation: Organisation
    partners: Iterable[Organisation]
    municipalities: Iterable[Municipality]
    methods: Iterable[Method]
    thematic_areas: Iterable[ThematicArea]
    description: str
    target_group: str
    start_date: date | None
    end_date: date | None


_RELATIONS = ("partners", "municipalities", "methods", "thematic_areas")


def _check_lead(actor: User, organisation: Organisation | None) -> None:
    if organisation is None or not can_change_owned(actor, [organisation.pk], "testbed.change"):
        raise PermissionDenied("Only a coordinator of the lead organisation keeps a test bed.")


def _test_bed_store(test_bed: TestBed, values: TestBedValues) -> list[str]:
    relations = {name: list(values.pop(name, ())) for name in _RELATIONS}  # type: ignore[misc]
    changed = [name for name, value in values.items() if getattr(test_bed, name) != value]
    for name, value in values.items():
        setattr(test_bed, name, value)
    test_bed.full_clean()
    test_bed.save()
    for name, items in relations.items():
        relation = getattr(test_bed, name)
        if {o.pk for o in relation.all()} != {o.pk for o in items}:
            changed.append(name)
        relation.set(items)
    return sorted(changed)


@transaction.atomic
def test_bed_create(*, actor: User, code: str, **values: Unpack[TestBedValues]) -> TestBed:
    """Add a test bed led by an organisation the actor coordinates."""
    _check_lead(actor, values.get("lead_organisation"))
    test_bed = TestBed(code=code)
    _test_bed_store(test_bed, values)
    audit_log(
        actor=actor,
        action="test_bed.created",
        target=test_bed,
        organisation=test_bed.lead_organisation_id,
        purpose=PURPOSE,
        details={"code": test_bed.code},
    )
    return test_bed


@transaction.atomic
def test_bed_update(*, actor: User, test_bed: TestBed, **values: Unpack[TestBedValues]) -> TestBed:
    """Change a test bed the actor's organisation leads (and may hand it to another it leads)."""
    _check_lead(actor, test_bed.lead_organisation)
    _check_lead(actor, values.get("lead_organisation", test_bed.lead_organisation))
    fields = _test_bed_store(test_bed, values)
    audit_log(
        actor=actor,
        action="test_bed.changed",
        target=test_bed,
        organisation=test_bed.lead_organisation_id,
        purpose=PURPOSE,
        details={"code": test_bed.code, "fields": fields},
    )
    return test_bed


@transaction.atomic
def test_bed_goal_add(
    *, actor: User, test_bed: TestBed, goal: str, indicator: str, target: str = ""
) -> TestBedGoal:
    """A goal of the test bed with the indicator that measures it."""
    if not test_bed_can_change(actor=actor, test_bed=test_bed):
        raise PermissionDenied("Only the lead organisation keeps the goals.")
    row = TestBedGoal(test_bed=test_bed, goal=goal, indicator=indicator, target=target)
    row.full_clean()
    row.save()
    audit_log(
        actor=actor,
        action="test_bed.goal_added",
        target=test_bed,
        organisation=test_bed.lead_organisation_id,
        purpose=PURPOSE,
        details={"goal": str(row.pk)},
    )
    return row
