"""Entries sent from a browser's offline queue: each carries an idempotency key, so sending it
again (a lost answer, two tabs, a retry) returns the first result and saves nothing twice.

A conflict (the record changed since the form was loaded, a likely duplicate) is returned, not
resolved: the person sees it in the queue and chooses to save anyway or to discard."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from emplus.pathways import forms as pathway_forms
from emplus.pathways import progress_data
from emplus.pathways import services as pathway_services
from emplus.pathways.models import Enrolment, Participant
from emplus.selfservice import selectors, services
from emplus.selfservice.choices import HoursSource, OfflineKind
from emplus.selfservice.models import OfflineEntry


@dataclass(frozen=True)
class OfflineResult:
    status_code: int
    body: dict


@dataclass(frozen=True)
class Target:
    participant: Participant
    enrolment: Enrolment | None = None
    month: date | None = None


def _digest(kind: str, target: Target, data: dict) -> str:
    canonical = json.dumps(
        {
            "kind": kind,
            "participant": target.participant.pk,
            "enrolment": target.enrolment.pk if target.enrolment else None,
            "month": target.month,
            "data": data,
        },
        cls=DjangoJSONEncoder,
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _base_time(base: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(base)
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo is not None else None


def _base_version(base: str) -> int | None:
    try:
        return int(base)
    except (TypeError, ValueError):
        return None


def _form_errors(form) -> ValidationError:
    return ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})


def _participant_url(target: Target) -> str:
    return reverse("pathways:detail", args=[target.participant.pk])


def _closed_conflict(enrolment: Enrolment) -> services.Conflict | None:
    if enrolment.exit_date is None:
        return None
    return services.Conflict(
        _("The enrolment was closed on %(date)s.") % {"date": enrolment.exit_date.isoformat()},
        details={"exit_date": enrolment.exit_date},
    )


def _assessment(*, actor, target: Target, data: dict, base: str, force: bool) -> dict:
    instrument = progress_data.instrument_active()
    if instrument is None or target.enrolment is None:
        raise ValidationError(_("No assessment instrument is in use."))
    form = pathway_forms.AssessmentForm(data, instrument=instrument)
    if not form.is_valid():
        raise _form_errors(form)
    enrolment = target.enrolment
    assessed_on = form.cleaned_data["assessed_on"]
    if not force:
        conflict = _closed_conflict(enrolment)
        since = _base_time(base)
        others = enrolment.assessments.filter(instrument=instrument)
        same_day = others.filter(assessed_on=assessed_on).exists()
        newer = since is not None and others.filter(created_at__gt=since).exists()
        if conflict is None and (same_day or newer):
            conflict = services.Conflict(
                _(
                    "Another assessment was recorded for this enrolment after you opened the "
                    "form, or on the same day."
                ),
                details={"assessed_on": assessed_on},
            )
        if conflict is not None:
            raise conflict
    assessment = pathway_services.assessment_record(
        actor=actor,
        enrolment=enrolment,
        instrument=instrument,
        assessed_on=assessed_on,
        scores=form.scores(),
    )
    return {"id": str(assessment.pk), "url": _participant_url(target)}


def _event(*, actor, target: Target, data: dict, base: str, force: bool) -> dict:
    if target.enrolment is None:
        raise ValidationError(_("Choose the enrolment."))
    form = pathway_forms.EventForm(data)
    if not form.is_valid():
        raise _form_errors(form)
    values = form.cleaned_data
    if not force:
        conflict = _closed_conflict(target.enrolment)
        if conflict is None and (
            target.enrolment.events.filter(
                kind=values["kind"], occurred_on=values["occurred_on"]
            ).exists()
        ):
            conflict = services.Conflict(
                _("An event of the same kind on the same date is already recorded."),
                details={"occurred_on": values["occurred_on"]},
            )
        if conflict is not None:
            raise conflict
    event = pathway_services.event_record(actor=actor, enrolment=target.enrolment, **values)
    return {"id": str(event.pk), "url": _participant_url(target)}


def _month_url(target: Target) -> str:
    return reverse(
        "selfservice:month", args=[target.participant.pk, target.month.strftime("%Y-%m")]
    )


def _unseen_hours_conflict(target: Target, *, entered=None) -> services.Conflict | None:
    """An entry from a form shell opened offline: its author saw no hours. Show the stored
    ones when they were set by someone, or attested, or (for an attestation) always."""
    row = selectors.participant_month(participant=target.participant, month=target.month)
    if entered is not None:
        if entered == row.hours or (row.source == HoursSource.DERIVED and not row.attestation):
            return None
        message = _("These hours were set to %(hours)s on the server while you were offline.")
    else:
        message = _("Check the hours before recording the attestation: %(hours)s hours.")
    return services.Conflict(
        message % {"hours": row.hours}, details={"hours": str(row.hours), "version": row.version}
    )


def _time_hours(*, actor, target: Target, data: dict, base: str, force: bool) -> dict:
    if target.month is None:
        raise ValidationError({"month": _("Choose the month.")})
    if not force and _base_version(base) is None:
        conflict = _unseen_hours_conflict(target, entered=services.parse_hours(data.get("hours")))
        if conflict is not None:
            raise conflict
    monthly = services.monthly_time_set_hours(
        actor=actor,
        participant=target.participant,
        month=target.month,
        hours=data.get("hours", ""),
        base_version=None if force else _base_version(base),
    )
    return {"id": str(monthly.pk), "version": monthly.version, "url": _month_url(target)}


def _time_paper(*, actor, target: Target, data: dict, base: str, force: bool) -> dict:
    if target.month is None:
        raise ValidationError({"month": _("Choose the month.")})
    try:
        paper_date = date.fromisoformat(str(data.get("paper_date", "")))
    except ValueError:
        raise ValidationError({"paper_date": _("Enter a valid date.")}) from None
    if not force and _base_version(base) is None:
        raise _unseen_hours_conflict(target)
    attestation = services.time_attestation_record_paper(
        actor=actor,
        participant=target.participant,
        month=target.month,
        paper_date=paper_date,
        base_version=None if force else _base_version(base),
    )
    return {"id": str(attestation.pk), "url": _month_url(target)}


HANDLERS = {
    OfflineKind.ASSESSMENT: _assessment,
    OfflineKind.EVENT: _event,
    OfflineKind.TIME_HOURS: _time_hours,
    OfflineKind.TIME_PAPER: _time_paper,
}


def _replay(stored: OfflineEntry, *, actor, digest: str) -> OfflineResult:
    if stored.actor_id != actor.pk or stored.payload_sha256 != digest:
        # The same key for different content: a client error, never a silent overwrite.
        return OfflineResult(
            422,
            {
                "status": "invalid",
                "message": _("This entry key was already used for another entry."),
            },
        )
    return OfflineResult(200, {**stored.result, "status": "saved", "replay": True})


def offline_entry_submit(
    *,
    actor,
    key: UUID,
    kind: str,
    target: Target,
    data: dict,
    base: str = "",
    force: bool = False,
) -> OfflineResult:
    """Save one queued entry once. 201 saved, 200 the same entry again (its first result),
    409 conflict, 422 invalid. Only saved entries are remembered: after a conflict the person
    may send the same entry again with `force`."""
    digest = _digest(kind, target, data)
    stored = OfflineEntry.objects.filter(key=key).first()
    if stored is not None:
        return _replay(stored, actor=actor, digest=digest)
    try:
        with transaction.atomic():
            body = HANDLERS[kind](actor=actor, target=target, data=data, base=base, force=force)
            # In the same transaction as the change: the change and its key commit together,
            # and a concurrent sending of the same key fails here and rolls its change back.
            OfflineEntry.objects.create(
                key=key,
                actor=actor,
                kind=kind,
                payload_sha256=digest,
                status_code=201,
                result=body,
            )
    except IntegrityError:
        stored = OfflineEntry.objects.filter(key=key).first()
        if stored is None:
            raise
        return _replay(stored, actor=actor, digest=digest)
    except services.Conflict as conflict:
        return OfflineResult(
            409,
            json.loads(
                json.dumps(
                    {
                        "status": "conflict",
                        "message": conflict.message,
                        "details": conflict.details,
                    },
                    cls=DjangoJSONEncoder,
                )
            ),
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        return OfflineResult(
            422, {"status": "invalid", "message": _("The entry was not saved."), "errors": errors}
        )
    return OfflineResult(201, {**body, "status": "saved", "replay": False})
