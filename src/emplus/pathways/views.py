"""The coach's pages of the individual pathway: thin views over selectors, services and forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emplus.core.crypto import mask_personal_id
from emplus.core.permissions import permission_required
from emplus.organisations.models import Organisation
from emplus.pathways import charts, forms, progress, progress_data, selectors, services
from emplus.pathways.choices import Phase, ShareRequestStatus
from emplus.pathways.models import (
    Assessment,
    Enrolment,
    FollowUp,
    Participant,
    ShareRequest,
)


def _verdict_label(verdict: str) -> str:
    return {
        progress.IMPROVED: _("Reliable improvement"),
        progress.DETERIORATED: _("Reliable deterioration"),
        progress.NO_RELIABLE_CHANGE: _("No reliable change"),
        progress.NOT_ENOUGH_DATA: _("Not enough data yet"),
    }[verdict]


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's validation errors next to the matching fields (else at the top)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = name if name in form.fields else None
            for item in errors:
                form.add_error(field, item.messages[0] if hasattr(item, "messages") else item)
    else:
        for message in error.messages:
            form.add_error(None, message)


# --- caseload ---------------------------------------------------------------------------------


def _caseload_filters(request) -> selectors.CaseloadFilters:
    phase = request.GET.get("phase", "")
    status = request.GET.get("status", "")
    return selectors.CaseloadFilters(
        q=request.GET.get("q", "").strip()[:100],
        phase=phase if phase in Phase.values else "",
        status=status if status in ("active", "exited") else "",
        followup_due=request.GET.get("followup_due") == "1",
    )


@permission_required("participant.view")
def caseload(request):
    filters = _caseload_filters(request)
    today = timezone.localdate()
    people = selectors.participant_list(viewer=request.user, filters=filters, today=today)
    due = list(selectors.followups_due(viewer=request.user, on=today).order_by("due_on"))
    phases = dict(Phase.choices)
    for person in people:
        person.phase_label = phases.get(person.current_phase, "")
    return render(
        request,
        "pathways/caseload.html",
        {
            "people": people,
            "filters": filters,
            "phases": Phase.choices,
            "followups_due": due,
            "can_register": forms.registration_units(request.user).exists(),
        },
    )


# --- registration -----------------------------------------------------------------------------


@permission_required("participant.change")
def register(request):
    form = forms.RegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = data["unit"]
        try:
            with transaction.atomic():
                registration = services.participant_register(
                    actor=request.user,
                    organisation=unit.organisation,
                    unit=unit,
                    participant_ref=data["participant_ref"],
                    personal_id=data["personal_id"] or None,
                    special_category_basis=form.special_category_basis,
                    **form.participant_values(),
                )
                participant = registration.participant
                services.consent_record(
                    actor=request.user, participant=participant, **form.consent_values()
                )
                services.enrolment_start(
                    actor=request.user, participant=participant, entry_date=data["entry_date"]
                )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Participant %(ref)s registered.") % {"ref": participant.participant_ref},
            )
            return redirect("pathways:detail", pk=participant.pk)
    return render(request, "pathways/register.html", {"form": form})


# --- participant page -------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    on: date
    order: int
    kind: str
    title: str
    text: str = ""


def _yes_no(value) -> str:
    if value is None:
        return _("unknown")
    return _("yes") if value else _("no")


def _timeline(enrolment: Enrolment) -> list[TimelineItem]:
    items = [TimelineItem(enrolment.entry_date, 0, "entry", _("Entry"))]
    for step in enrolment.steps.all():
        text = step.activity
        if step.hours is not None:
            text += " · " + _("%(hours)s hours") % {"hours": step.hours}
        if step.ended_on:
            text += " · " + _("until %(date)s") % {"date": step.ended_on.isoformat()}
        items.append(
            TimelineItem(
                step.started_on,
                1,
                "step",
                _("Step: %(phase)s") % {"phase": step.get_phase_display()},
                text,
            )
        )
    for event in enrolment.events.all():
        items.append(
            TimelineItem(event.occurred_on, 2, "event", event.get_kind_display(), event.note)
        )
    for goal in enrolment.goals.all():
        when = goal.achieved_on or goal.target_date or timezone.localdate(goal.created_at)
        if goal.achieved_on:
            title = _("Goal achieved")
        elif goal.target_date:
            title = _("Goal (target date)")
        else:
            title = _("Goal set")
        items.append(TimelineItem(when, 3, "goal", title, goal.description))
    for assessment in enrolment.assessments.all():
        values = [s.value for s in assessment.scores.all()]
        text = ""
        if values:
            text = _("Mean %(mean)s over %(n)s dimensions") % {
                "mean": f"{sum(values) / len(values):.1f}",
                "n": len(values),
            }
        title = (
            _("Assessment entered by the participant")
            if assessment.entered_by_participant
            else _("Assessment")
        )
        items.append(TimelineItem(assessment.assessed_on, 4, "assessment", title, text))
    if enrolment.exit_date:
        situation = _(
            "Job searching: %(job)s · in education: %(edu)s · qualification: %(qual)s · "
            "employed: %(emp)s"
        ) % {
            "job": _yes_no(enrolment.exit_job_searching),
            "edu": _yes_no(enrolment.exit_in_education),
            "qual": _yes_no(enrolment.exit_qualification),
            "emp": _yes_no(enrolment.exit_employed),
        }
        items.append(
            TimelineItem(
                enrolment.exit_date,
                5,
                "exit",
                _("Exit: %(reason)s") % {"reason": enrolment.get_exit_reason_display()},
                situation,
            )
        )
    follow_up = getattr(enrolment, "follow_up", None)
    if follow_up is not None:
        if follow_up.observed_on:
            items.append(
                TimelineItem(
                    follow_up.observed_on,
                    6,
                    "followup",
                    _("Follow-up recorded"),
                    _("Employed: %(emp)s · improved situation: %(imp)s")
                    % {"emp": _yes_no(follow_up.employed), "imp": _yes_no(follow_up.improved)},
                )
            )
        else:
            items.append(TimelineItem(follow_up.due_on, 6, "followup", _("Follow-up due"), ""))
    return sorted(items, key=lambda item: (item.on, item.order))


def _enrolments(participant: Participant):
    return (
        Enrolment.objects.filter(participant=participant)
        .select_related("follow_up")
        .prefetch_related(
            "steps",
            "events",
            "goals",
            Prefetch("assessments", queryset=Assessment.objects.prefetch_related("scores")),
        )
        .order_by("-entry_date")
    )


def _progress_context(participant: Participant) -> dict:
    instrument = progress_data.instrument_active()
    if instrument is None:
        return {"progress": None}
    result = progress_data.participant_progress(
        participant=participant, instrument=instrument, language=get_language()
    )
    chart = None
    if result.comparable:
        chart = charts.dot_plot(
            rows=result.rows,
            scale_min=instrument.scale_min,
            scale_max=instrument.scale_max,
            title_format=lambda r: (
                _("%(label)s: from %(first)s to %(latest)s")
                % {"label": r.label, "first": r.first, "latest": r.latest}
            ),
        )
    rows = [
        {
            "label": row.label,
            "first": row.first,
            "latest": row.latest,
            "change": row.change,
            "rci": None if row.rci is None else f"{row.rci:.2f}",
            "verdict": row.verdict,
            "verdict_label": _verdict_label(row.verdict),
        }
        for row in result.rows
    ]
    total = None
    if result.total is not None:
        total = {
            "first": result.total.first,
            "latest": result.total.latest,
            "change": result.total.change,
            "rci": None if result.total.rci is None else f"{result.total.rci:.2f}",
            "verdict_label": _verdict_label(result.total.verdict),
        }
    english = (get_language() or "sv").startswith("en")
    return {
        "progress": result,
        "instrument_name": instrument.name_en if english else instrument.name_sv,
        "chart": chart,
        "progress_rows": rows,
        "progress_total": total,
        "min_participants": progress.MIN_PARTICIPANTS,
    }


def _can_change(user, participant: Participant) -> bool:
    return Participant.objects.owned_by_viewer(user).filter(pk=participant.pk).exists()


def _known_elsewhere(participant: Participant) -> list[dict]:
    """Other organisations that know the same person: names only, and whether sharing has
    already been requested from them."""
    others = services.known_elsewhere(
        pseudonym_value=participant.pseudonym, organisation=participant.organisation
    )
    if not others:
        return []
    requested = set(
        ShareRequest.objects.filter(
            participant__pseudonym=participant.pseudonym,
            participant__organisation__in=others,
            requesting_organisation=participant.organisation,
            status=ShareRequestStatus.PENDING,
        ).values_list("participant__organisation_id", flat=True)
    )
    return [{"organisation": o, "requested": o.pk in requested} for o in others]


@permission_required("participant.view")
def detail(request, pk):
    participant = selectors.participant_get(viewer=request.user, pk=pk)
    can_change = _can_change(request.user, participant)
    consent = selectors.consent_current(participant=participant)
    enrolments = list(_enrolments(participant))
    context = {
        "participant": participant,
        "masked_id": mask_personal_id(participant.personal_id),
        "can_change": can_change,
        "consent": consent,
        "past_consents": [c for c in participant.consents.all() if c != consent],
        "enrolments": [
            {"enrolment": e, "timeline": _timeline(e), "open": e.exit_date is None}
            for e in enrolments
        ],
        "has_open_enrolment": any(e.exit_date is None for e in enrolments),
        "known_elsewhere": _known_elsewhere(participant) if can_change else [],
        **_progress_context(participant),
    }
    return render(request, "pathways/detail.html", context)


# --- changes ----------------------------------------------------------------------------------


def _form_page(request, *, participant, form, title, intro="", submit=None):
    return render(
        request,
        "pathways/form.html",
        {
            "participant": participant,
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit or _("Save"),
        },
    )


def _enrolment_for_change(request, pk, enrolment_pk) -> tuple[Participant, Enrolment]:
    participant = selectors.participant_for_change(viewer=request.user, pk=pk)
    enrolment = get_object_or_404(Enrolment, pk=enrolment_pk, participant=participant)
    return participant, enrolment


def _done(request, participant, message):
    messages.success(request, message)
    return redirect("pathways:detail", pk=participant.pk)


def _save(form, action) -> bool:
    """Run a service; on a validation error put it on the form. True when saved."""
    try:
        action()
    except ValidationError as error:
        _apply_errors(form, error)
        return False
    return True


@permission_required("participant.change")
def participant_edit(request, pk):
    selectors.participant_for_change(viewer=request.user, pk=pk)
    participant = selectors.participant_get(viewer=request.user, pk=pk)
    form = forms.ParticipantEditForm(request.POST or None, participant=participant)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: services.participant_update(
                actor=request.user,
                participant=participant,
                personal_id=form.cleaned_data["personal_id"] or None,
                special_category_basis=form.special_category_basis,
                **form.participant_values(),
            ),
        )
    ):
        return _done(request, participant, _("Entry data saved."))
    participant.refresh_from_db()
    return render(
        request,
        "pathways/edit.html",
        {
            "participant": participant,
            "form": form,
            "masked_id": mask_personal_id(participant.personal_id),
        },
    )


@permission_required("participant.change")
def consent_new(request, pk):
    participant = selectors.participant_for_change(viewer=request.user, pk=pk)
    form = forms.ConsentForm(request.POST or None, own_organisations=[participant.organisation])
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: services.consent_record(
                actor=request.user, participant=participant, **form.consent_values()
            ),
        )
    ):
        return _done(request, participant, _("Consent recorded."))
    return _form_page(request, participant=participant, form=form, title=_("Record consent"))


@require_POST
@permission_required("participant.change")
def consent_withdraw(request, pk, consent_pk):
    participant = selectors.participant_for_change(viewer=request.user, pk=pk)
    consent = get_object_or_404(participant.consents.all(), pk=consent_pk)
    services.consent_withdraw(actor=request.user, consent=consent)
    return _done(
        request,
        participant,
        _("Consent withdrawn: sharing and follow-up contact have stopped."),
    )


@require_POST
@permission_required("participant.change")
def share_request(request, pk):
    participant = selectors.participant_for_change(viewer=request.user, pk=pk)
    consent = selectors.consent_current(participant=participant)
    if consent is None or not consent.sharing or not participant.pseudonym:
        messages.error(request, _("Sharing can be requested only with the participant's consent."))
        return redirect("pathways:detail", pk=participant.pk)
    organisation_pk = request.POST.get("organisation", "")
    known = {
        str(o.pk): o
        for o in services.known_elsewhere(
            pseudonym_value=participant.pseudonym, organisation=participant.organisation
        )
    }
    organisation: Organisation | None = known.get(organisation_pk)
    if organisation is None:
        raise Http404
    # The other organisation's record is looked up here and never shown: only its owner sees it.
    theirs = Participant.objects.filter(
        pseudonym=participant.pseudonym, organisation=organisation, erased_at__isnull=True
    ).first()
    if theirs is None:
        raise Http404
    services.share_request_create(
        actor=request.user, participant=theirs, organisation=participant.organisation
    )
    return _done(
        request,
        participant,
        _("Sharing requested from %(organisation)s.") % {"organisation": organisation.name},
    )


@permission_required("participant.change")
def enrolment_new(request, pk):
    participant = selectors.participant_for_change(viewer=request.user, pk=pk)
    form = forms.EnrolmentForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: services.enrolment_start(
                actor=request.user,
                participant=participant,
                entry_date=form.cleaned_data["entry_date"],
            ),
        )
    ):
        return _done(request, participant, _("Enrolment started."))
    return _form_page(request, participant=participant, form=form, title=_("Start a new enrolment"))


def _enrolment_record_page(request, pk, enrolment_pk, *, form_class, service, done, title):
    """The add-a-record page shared by steps, events and goals: one form, one service."""
    participant, enrolment = _enrolment_for_change(request, pk, enrolment_pk)
    form = form_class(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: service(actor=request.user, enrolment=enrolment, **form.cleaned_data),
        )
    ):
        return _done(request, participant, done)
    return _form_page(request, participant=participant, form=form, title=title)


@permission_required("participant.change")
def step_new(request, pk, enrolment_pk):
    return _enrolment_record_page(
        request,
        pk,
        enrolment_pk,
        form_class=forms.StepForm,
        service=services.step_record,
        done=_("Step recorded."),
        title=_("Record a step"),
    )


@permission_required("participant.change")
def event_new(request, pk, enrolment_pk):
    return _enrolment_record_page(
        request,
        pk,
        enrolment_pk,
        form_class=forms.EventForm,
        service=services.event_record,
        done=_("Event recorded."),
        title=_("Record an event"),
    )


@permission_required("participant.change")
def goal_new(request, pk, enrolment_pk):
    return _enrolment_record_page(
        request,
        pk,
        enrolment_pk,
        form_class=forms.GoalForm,
        service=services.goal_record,
        done=_("Goal recorded."),
        title=_("Add a goal"),
    )


@permission_required("participant.change")
def assessment_new(request, pk, enrolment_pk):
    participant, enrolment = _enrolment_for_change(request, pk, enrolment_pk)
    instrument = progress_data.instrument_active()
    if instrument is None:
        raise Http404
    form = forms.AssessmentForm(
        request.POST or None, instrument=instrument, language=get_language() or "sv"
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: services.assessment_record(
                actor=request.user,
                enrolment=enrolment,
                instrument=instrument,
                assessed_on=form.cleaned_data["assessed_on"],
                scores=form.scores(),
            ),
        )
    ):
        return _done(request, participant, _("Assessment recorded."))
    english = (get_language() or "sv").startswith("en")
    return _form_page(
        request,
        participant=participant,
        form=form,
        title=_("Record an assessment"),
        intro=_(
            "%(instrument)s: rate every dimension together with the participant, from "
            "%(min)s to %(max)s."
        )
        % {
            "instrument": instrument.name_en if english else instrument.name_sv,
            "min": instrument.scale_min,
            "max": instrument.scale_max,
        },
    )


@permission_required("participant.change")
def exit_record(request, pk, enrolment_pk):
    participant, enrolment = _enrolment_for_change(request, pk, enrolment_pk)
    if enrolment.exit_date is not None:
        raise Http404
    form = forms.ExitForm(request.POST or None, entry_date=enrolment.entry_date)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: services.enrolment_exit(
                actor=request.user, enrolment=enrolment, **form.cleaned_data
            ),
        )
    ):
        return _done(request, participant, _("Exit recorded; the follow-up is scheduled."))
    return _form_page(
        request,
        participant=participant,
        form=form,
        title=_("Record the exit"),
        intro=_("The six-month follow-up is scheduled automatically from the exit date."),
    )


@permission_required("participant.change")
def enrolment_dates(request, pk, enrolment_pk):
    participant, enrolment = _enrolment_for_change(request, pk, enrolment_pk)
    form = forms.EnrolmentDatesForm(request.POST or None, enrolment=enrolment)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: services.enrolment_dates_correct(
                actor=request.user,
                enrolment=enrolment,
                entry_date=form.cleaned_data["entry_date"],
                exit_date=form.cleaned_data.get("exit_date"),
            ),
        )
    ):
        return _done(request, participant, _("Dates corrected."))
    return _form_page(
        request,
        participant=participant,
        form=form,
        title=_("Correct the dates"),
        intro=_(
            "For a date recorded wrongly. If the enrolment is in an ESF project, its page then "
            "names the reported months to correct and re-send."
        ),
    )


@permission_required("participant.change")
def followup_record(request, pk, enrolment_pk):
    participant, enrolment = _enrolment_for_change(request, pk, enrolment_pk)
    follow_up = get_object_or_404(FollowUp, enrolment=enrolment)
    form = forms.FollowUpForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: services.followup_record(
                actor=request.user, follow_up=follow_up, **form.cleaned_data
            ),
        )
    ):
        return _done(request, participant, _("Follow-up recorded."))
    return _form_page(
        request,
        participant=participant,
        form=form,
        title=_("Record the follow-up"),
        intro=_("Due on %(date)s.") % {"date": follow_up.due_on.isoformat()},
    )
