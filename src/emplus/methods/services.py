"""Writes of the methods library and the thematic areas (pages, administration, reference
data): each one transaction, audited in it."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from emplus.core.audit import audit_log
from emplus.core.scoping import has_permission
from emplus.core.typing import User
from emplus.methods.models import Method, MethodVersion, ThematicArea
from emplus.organisations.models import Organisation
from emplus.organisations.permissions import can_change_owned

# Directory data, not personal data: audited so that every change has an author.
PURPOSE = "directory"


@transaction.atomic
def method_save(
    *,
    actor: User,
    method: Method,
    fields: Sequence[str],
    save_related: Callable[[], None] | None = None,
) -> Method:
    """Store a method edited in the administration with its related rows (`save_related`:
    thematic areas, owners, versions), audited with the names of the changed fields."""
    created = method._state.adding
    method.full_clean()
    method.save()
    if save_related is not None:
        save_related()
    audit_log(
        actor=actor,
        action="method.created" if created else "method.changed",
        target=method,
        purpose=PURPOSE,
        details={"code": method.code, "fields": sorted(fields)},
    )
    return method


@transaction.atomic
def method_delete(*, actor: User, method: Method) -> None:
    """Remove a method (the administration's delete); the audit keeps its code."""
    audit_log(
        actor=actor,
        action="method.deleted",
        target=method,
        purpose=PURPOSE,
        details={"code": method.code},
    )
    method.delete()


# --- pages: coordinators keep their organisation's methods, administrators the thematic areas ---


class MethodValues(TypedDict, total=False):
    """What the method form sets: the content of a method version."""

    name: str
    purpose: str
    phases: list[str]
    target_groups: list[str]
    arenas: list[str]
    thematic_areas: Iterable[ThematicArea]
    steps: str
    resources: str
    evidence_level: int


_CONTENT_FIELDS = ("name", "purpose", "phases", "target_groups", "arenas", "steps", "resources")


def method_can_change(*, actor: User, method: Method) -> bool:
    """A coordinator (or administrator) of an owner organisation changes the method."""
    owner_ids = [o.pk for o in method.owners.all()]
    return bool(owner_ids) and can_change_owned(actor, owner_ids, "method.change")


def _method_content(method: Method) -> dict[str, Any]:
    content: dict[str, Any] = {name: getattr(method, name) for name in _CONTENT_FIELDS}
    content["evidence_level"] = method.evidence_level
    content["thematic_areas"] = sorted(a.code for a in method.thematic_areas.all())
    return content


def _method_apply(method: Method, values: MethodValues) -> list[ThematicArea] | None:
    areas = values.pop("thematic_areas", None)
    for name, value in values.items():
        setattr(method, name, value)
    return None if areas is None else list(areas)


def _version_add(
    *, method: Method, version: str, released_on: date, change_note: str
) -> MethodVersion:
    if method.versions.filter(version=version).exists():
        raise ValidationError(
            {
                "version": _("Version %(version)s exists; a new version needs a new number.")
                % {"version": version}
            }
        )
    row = MethodVersion(
        method=method,
        version=version,
        released_on=released_on,
        change_note=change_note,
        content=_method_content(method),
    )
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def method_create(
    *,
    actor: User,
    owner: Organisation,
    code: str,
    version: str,
    released_on: date,
    change_note: str,
    **values: Unpack[MethodValues],
) -> Method:
    """Add a method owned by an organisation the actor coordinates, with its first version."""
    if not can_change_owned(actor, [owner.pk], "method.change"):
        raise PermissionDenied("Only a coordinator of the organisation may add its methods.")
    method = Method(code=code)
    areas = _method_apply(method, values)
    method.full_clean()
    method.save()
    method.owners.set([owner])
    method.thematic_areas.set(areas or [])
    row = _version_add(
        method=method, version=version, released_on=released_on, change_note=change_note
    )
    audit_log(
        actor=actor,
        action="method.created",
        target=method,
        organisation=owner,
        purpose=PURPOSE,
        details={"code": method.code, "version": row.version},
    )
    return method


@transaction.atomic
def method_version_release(
    *,
    actor: User,
    method: Method,
    version: str,
    released_on: date,
    change_note: str,
    **values: Unpack[MethodValues],
) -> MethodVersion:
    """Change a method by releasing a new version: the method shows the new content, the new
    version row keeps it, and every earlier version row stays as it was."""
    if not method_can_change(actor=actor, method=method):
        raise PermissionDenied("Only a coordinator of an owner organisation may change a method.")
    changed = sorted(
        name
        for name, value in values.items()
        if name != "thematic_areas" and getattr(method, name) != value
    )
    areas = _method_apply(method, values)
    method.full_clean()
    method.save()
    if areas is not None:
        method.thematic_areas.set(areas)
        changed.append("thematic_areas")
    row = _version_add(
        method=method, version=version, released_on=released_on, change_note=change_note
    )
    audit_log(
        actor=actor,
        action="method.version_released",
        target=method,
        purpose=PURPOSE,
        details={"code": method.code, "version": row.version, "fields": changed},
    )
    return row


@transaction.atomic
def thematic_area_update(
    *, actor: User, area: ThematicArea, name_sv: str, name_en: str, description: str, order: int
) -> ThematicArea:
    """Rename or describe one of the partnership's thematic areas (its code stays)."""
    if not has_permission(actor, "thematic_area.change"):
        raise PermissionDenied("Only a partnership administrator keeps the thematic areas.")
    area.name_sv, area.name_en, area.description, area.order = name_sv, name_en, description, order
    area.full_clean()
    area.save()
    audit_log(
        actor=actor,
        action="thematic_area.changed",
        target=area,
        purpose=PURPOSE,
        details={"code": area.code},
    )
    return area


@dataclass(frozen=True)
class ThematicAreaLoadReport:
    areas: int
    created: int


@transaction.atomic
def thematic_area_reference_load() -> ThematicAreaLoadReport:
    """Create the partnership's eight thematic areas that are missing (reference data shipped
    with the platform); an existing area, perhaps renamed by an administrator, is left alone,
    so running it again changes nothing."""
    created = 0
    rows = thematic_area_reference()
    for order, row in enumerate(rows, start=1):
        _area, made = ThematicArea.objects.get_or_create(
            code=row["code"],
            defaults={"name_sv": row["name_sv"], "name_en": row["name_en"], "order": order},
        )
        created += made
    if created:
        audit_log(
            actor=None,
            action="thematic_area.reference_loaded",
            purpose=PURPOSE,
            details={"created": created},
        )
    return ThematicAreaLoadReport(areas=len(rows), created=created)


def thematic_area_reference() -> list[dict[str, str]]:
    """The shipped thematic areas (code, Swedish and English name), in their order."""
    text = (
        resources.files("emplus.methods")
        .joinpath("data", "thematic_areas.csv")
        .read_text(encoding="utf-8")
    )
    return list(csv.DictReader(text.splitlines()))
