"""Writes of funding calls and consortia: each one transaction, audited in it; a consortium's
partner changes also add a history row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emplus.calls.choices import PartnerRole
from emplus.calls.models import Call, Consortium, ConsortiumEvent, ConsortiumPartner
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


# --- consortia: drafted by the lead organisation's coordinators -------------------------------


def consortium_can_change(*, actor: User, consortium: Consortium) -> bool:
    return can_change_owned(actor, [consortium.lead_organisation_id], "consortium.change")


def _check_consortium(actor: User, consortium: Consortium) -> None:
    if not consortium_can_change(actor=actor, consortium=consortium):
        raise PermissionDenied("Only the lead organisation drafts its consortium.")


def _history(
    *,
    actor: User,
    consortium: Consortium,
    action: str,
    organisation: Organisation | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """The history row the page shows and the audit event, in the same transaction."""
    ConsortiumEvent.objects.create(
        consortium=consortium,
        occurred_at=timezone.now(),
        actor=actor,
        action=action,
        organisation=organisation,
        details=details or {},
    )
    audit_log(
        actor=actor,
        action=f"consortium.{action}",
        target=consortium,
        organisation=consortium.lead_organisation_id,
        purpose=PURPOSE,
        details={"partner": getattr(organisation, "code", ""), **(details or {})},
    )


@transaction.atomic
def consortium_create(
    *, actor: User, call: Call, lead_organisation: Organisation, title: str, summary: str = ""
) -> Consortium:
    """Start a consortium for a call, led by an organisation the actor coordinates; the lead
    is its first partner (lead applicant)."""
    if not can_change_owned(actor, [lead_organisation.pk], "consortium.change"):
        raise PermissionDenied("Only a coordinator of the lead organisation starts a consortium.")
    consortium = Consortium(
        call=call, lead_organisation=lead_organisation, title=title, summary=summary
    )
    consortium.full_clean()
    consortium.save()
    _history(actor=actor, consortium=consortium, action="created")
    consortium_partner_add(
        actor=actor,
        consortium=consortium,
        organisation=lead_organisation,
        role=PartnerRole.LEAD,
    )
    return consortium


def _check_budget(
    consortium: Consortium, share: Decimal, *, without: ConsortiumPartner | None
) -> None:
    others = consortium.partners.all()
    if without is not None:
        others = others.exclude(pk=without.pk)
    total = sum((p.budget_share for p in others), Decimal(0)) + share
    if total > 100:
        raise ValidationError(
            {
                "budget_share": _(
                    "The budget shares would add up to %(total)s %%; together they may be at "
                    "most 100 %%."
                )
                % {"total": total}
            }
        )


class PartnerValues(TypedDict, total=False):
    role: str
    role_description: str
    contact: str
    letter_of_intent: str
    budget_share: Decimal


@transaction.atomic
def consortium_partner_add(
    *,
    actor: User,
    consortium: Consortium,
    organisation: Organisation,
    **values: Unpack[PartnerValues],
) -> ConsortiumPartner:
    """Add a partner with its role, contact, letter-of-intent status and budget share; the
    shares of all partners add up to at most 100 %."""
    _check_consortium(actor, consortium)
    if consortium.partners.filter(organisation=organisation).exists():
        raise ValidationError({"organisation": _("This organisation is already a partner.")})
    partner = ConsortiumPartner(consortium=consortium, organisation=organisation, **values)
    _check_budget(consortium, partner.budget_share, without=None)
    partner.full_clean()
    partner.save()
    _history(
        actor=actor,
        consortium=consortium,
        action="partner_added",
        organisation=organisation,
        details={"role": partner.role, "budget_share": str(partner.budget_share)},
    )
    return partner


@transaction.atomic
def consortium_partner_update(
    *, actor: User, partner: ConsortiumPartner, **values: Unpack[PartnerValues]
) -> ConsortiumPartner:
    consortium = partner.consortium
    _check_consortium(actor, consortium)
    changed: dict[str, Any] = {
        name: str(value) for name, value in values.items() if getattr(partner, name) != value
    }
    for name, value in values.items():
        setattr(partner, name, value)
    _check_budget(consortium, partner.budget_share, without=partner)
    partner.full_clean()
    partner.save()
    _history(
        actor=actor,
        consortium=consortium,
        action="partner_changed",
        organisation=partner.organisation,
        details=changed,
    )
    return partner


@transaction.atomic
def consortium_partner_remove(*, actor: User, partner: ConsortiumPartner) -> None:
    consortium = partner.consortium
    _check_consortium(actor, consortium)
    if partner.organisation_id == consortium.lead_organisation_id:
        raise ValidationError(_("The lead organisation stays in its consortium."))
    organisation = partner.organisation
    partner.delete()
    _history(
        actor=actor, consortium=consortium, action="partner_removed", organisation=organisation
    )
