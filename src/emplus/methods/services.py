"""Writes of the methods library (edited in the administration): each one transaction, audited
in it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction

from emplus.core.audit import audit_log
from emplus.core.typing import User
from emplus.methods.models import Method

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
