"""Writes of the mapping app (the partners' activities): each one transaction, audited in it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied
from django.db import transaction

from emplus.core.audit import audit_log
from emplus.core.typing import User
from emplus.geo.models import Municipality
from emplus.mapping.models import Activity
from emplus.methods.models import Method, ThematicArea
from emplus.organisations.models import Organisation, Unit
from emplus.organisations.permissions import can_change_owned

# Directory data, not personal data: audited so that every change has an author.
PURPOSE = "directory"


class ActivityValues(TypedDict, total=False):
    """What a coordinator may set on an activity (the fields of the activity form)."""

    organisation: Organisation
    unit: Unit | None
    title: str
    description: str
    arena: str
    phases: list[str]
    target_groups: list[str]
    place: str
    accessibility: str
    delivery_mode: str
    start_date: date
    end_date: date | None
    schedule: str
    capacity: int | None
    contact_email: str
    contact_phone: str
    methods: Iterable[Method]
    thematic_areas: Iterable[ThematicArea]
    municipalities: Iterable[Municipality]


_RELATIONS = ("methods", "thematic_areas", "municipalities")
ACTIVITY_FIELDS: tuple[str, ...] = tuple(ActivityValues.__annotations__)


def _check_editor(actor: User, organisation_id: Any) -> None:
    if not can_change_owned(actor, [organisation_id]):
        raise PermissionDenied("Only a coordinator of the organisation may change its activities.")


def _relation_ids(activity: Activity, name: str) -> set[Any]:
    return set(getattr(activity, name).values_list("pk", flat=True))


@transaction.atomic
def activity_create(*, actor: User, code: str, **values: Unpack[ActivityValues]) -> Activity:
    """Add an activity of an organisation the actor coordinates."""
    relations = {name: list(values.pop(name, ())) for name in _RELATIONS}  # type: ignore[misc]
    activity = Activity(code=code, **values)
    _check_editor(actor, activity.organisation_id)
    activity.full_clean()
    activity.save()
    for name, items in relations.items():
        getattr(activity, name).set(items)
    audit_log(
        actor=actor,
        action="activity.created",
        target=activity,
        purpose=PURPOSE,
        details={"code": activity.code},
    )
    return activity


@transaction.atomic
def activity_update(
    *, actor: User, activity: Activity, **values: Unpack[ActivityValues]
) -> Activity:
    """Change an activity; its code (the stable identifier of the HSDS export) stays. Audits
    the names of the changed fields; no change writes nothing."""
    stored = Activity.objects.select_for_update().get(pk=activity.pk)
    _check_editor(actor, stored.organisation_id)
    relations = {name: values.pop(name) for name in _RELATIONS if name in values}  # type: ignore[misc]
    changed = [name for name, value in values.items() if getattr(stored, name) != value]
    for name, items in relations.items():
        if {item.pk for item in items} != _relation_ids(stored, name):
            changed.append(name)
    if not changed:
        return stored
    for name, value in values.items():
        setattr(stored, name, value)
    if "organisation" in values:
        _check_editor(actor, stored.organisation_id)
    stored.full_clean()
    stored.save()
    for name, items in relations.items():
        getattr(stored, name).set(items)
    audit_log(
        actor=actor,
        action="activity.changed",
        target=stored,
        purpose=PURPOSE,
        details={"fields": sorted(changed)},
    )
    return stored


@transaction.atomic
def activity_save(
    *,
    actor: User,
    activity: Activity,
    fields: Sequence[str],
    save_related: Callable[[], None] | None = None,
) -> Activity:
    """Store an activity edited in the administration with its related rows (`save_related`:
    methods, thematic areas, municipalities), audited with the names of the changed fields."""
    created = activity._state.adding
    _check_editor(actor, activity.organisation_id)
    activity.full_clean()
    activity.save()
    if save_related is not None:
        save_related()
    audit_log(
        actor=actor,
        action="activity.created" if created else "activity.changed",
        target=activity,
        purpose=PURPOSE,
        details={"code": activity.code, "fields": sorted(fields)},
    )
    return activity


@transaction.atomic
def activity_delete(*, actor: User, activity: Activity) -> None:
    """Remove an activity (the administration's delete); the audit keeps its code."""
    _check_editor(actor, activity.organisation_id)
    audit_log(
        actor=actor,
        action="activity.deleted",
        target=activity,
        purpose=PURPOSE,
        details={"code": activity.code},
    )
    activity.delete()
