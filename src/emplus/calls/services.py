"""Writes of funding calls and consortia: each one transaction, audited in it; a consortium's
partner changes also add a history row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TypedDict, Unpack

from django.core.exceptions import PermissionDenied
from django.db import transaction

from emplus.calls.models import Call
from emplus.core.audit import audit_log
from emplus.core.typing import User
from emplus.geo.models import County
from emplus.methods.models import ThematicArea
from emplus.organisations.models import Organisation
from emplus.organisations.permissions import can_change_owned

# Directory data, not personal data: audited so that every change has an author.
PURPOSE = "directory"


class CallValues(TypedDict, total=False):
    """What the call form sets."""

    funder: str
    funder_name: str
    title: str
    deadline: date
    themes: Iterable[ThematicArea]
    target_regions: Iterable[County]
    budget_frame: Decimal | None
    eligibility_notes: str
    link_text: str


_CALL_RELATIONS = ("themes", "target_regions")


def call_can_change(*, actor: User, call: Call) -> bool:
    """Coordinators of the registering organisation, and the partnership administrator."""
    return can_change_owned(actor, [call.organisation_id], "call.change")


def _call_store(call: Call, values: CallValues) -> list[str]:
    relations = {n: list(values.pop(n, ())) for n in _CALL_RELATIONS}  # type: ignore[misc]
    changed = [name for name, value in values.items() if getattr(call, name) != value]
    for name, value in values.items():
        setattr(call, name, value)
    call.full_clean()
    call.save()
    for name, items in relations.items():
        relation = getattr(call, name)
        if {o.pk for o in relation.all()} != {o.pk for o in items}:
            changed.append(name)
        relation.set(items)
    return sorted(changed)


@transaction.atomic
def call_create(*, actor: User, organisation: Organisation, **values: Unpack[CallValues]) -> Call:
    """Register a call for the partnership, in the name of an organisation the actor keeps."""
    if not can_change_owned(actor, [organisation.pk], "call.change"):
        raise PermissionDenied("Only a coordinator of the organisation may register its calls.")
    call = Call(organisation=organisation)
    _call_store(call, values)
    audit_log(
        actor=actor,
        action="call.created",
        target=call,
        purpose=PURPOSE,
        details={"title": call.title},
    )
    return call


@transaction.atomic
def call_update(*, actor: User, call: Call, **values: Unpack[CallValues]) -> Call:
    if not call_can_change(actor=actor, call=call):
        raise PermissionDenied("Only the registering organisation may change the call.")
    fields = _call_store(call, values)
    audit_log(
        actor=actor, action="call.changed", target=call, purpose=PURPOSE, details={"fields": fields}
    )
    return call
