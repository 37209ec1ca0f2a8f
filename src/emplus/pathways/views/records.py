"""The records of an enrolment: start, steps, events, goals, assessments, exit and follow-up."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from emplus.core import exit_suggestions
from emplus.core.permissions import permission_required
from emplus.pathways import forms, progress_data, selectors, services
from emplus.pathways.models import FollowUp
from emplus.pathways.views.common import done, enrolment_for_change, form_page, save


@permission_required("participant.change")
def enrolment_new(request, pk):
    participant = selectors.participant_for_change(viewer=request.user, pk=pk)
    form = forms.EnrolmentForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and save(
            form,
            lambda: services.enrolment_start(
                actor=request.user,
                participant=participant,
                entry_date=form.cleaned_data["entry_date"],
            ),
        )
    ):
        return done(request, participant, _("Enrolment started."))
    return form_page(request, participant=participant, form=form, title=_("Start a new enrolment"))


def _enrolment_record_page(request, pk, enrolment_pk, *, form_class, service, message, title):
    """The add-a-record page shared by steps, events and goals: one form, one service."""
    participant, enrolment = enrolment_for_change(request, pk, enrolment_pk)
    form = form_class(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and save(
            form,
            lambda: service(actor=request.user, enrolment=enrolment, **form.cleaned_data),
        )
    ):
        return done(request, participant, message)
    return form_page(request, participant=participant, form=form, title=title)


@permission_required("participant.change")
def step_new(request, pk, enrolment_pk):
    return _enrolment_record_page(
        request,
        pk,
        enrolment_pk,
        form_class=forms.StepForm,
        service=services.step_record,
        message=_("Step recorded."),
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
        message=_("Event recorded."),
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
        message=_("Goal recorded."),
        title=_("Add a goal"),
    )


@permission_required("participant.change")
def assessment_new(request, pk, enrolment_pk):
    participant, enrolment = enrolment_for_change(request, pk, enrolment_pk)
    instrument = progress_data.instrument_active()
    if instrument is None:
        raise Http404
    form = forms.AssessmentForm(
        request.POST or None, instrument=instrument, language=get_language() or "sv"
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and save(
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
        return done(request, participant, _("Assessment recorded."))
    english = (get_language() or "sv").startswith("en")
    return form_page(
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
    participant, enrolment = enrolment_for_change(request, pk, enrolment_pk)
    if enrolment.exit_date is not None:
        raise Http404
    suggested = exit_suggestions.suggest(
        viewer=request.user,
        participant=participant,
        entry_date=enrolment.entry_date,
        as_of=_exit_day(request),
    )
    form = forms.ExitForm(
        request.POST or None, entry_date=enrolment.entry_date, suggestions=suggested
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and save(
            form,
            lambda: services.enrolment_exit(
                actor=request.user, enrolment=enrolment, **form.exit_values()
            ),
        )
    ):
        return done(request, participant, _("Exit recorded; the follow-up is scheduled."))
    intro = _("The six-month follow-up is scheduled automatically from the exit date.")
    if suggested:
        intro += " " + _(
            "Some answers upon leaving are suggested from the participant's studies, "
            "placements and income, each with its reason: check them and change any that "
            "are wrong."
        )
    return form_page(
        request, participant=participant, form=form, title=_("Record the exit"), intro=intro
    )


def _exit_day(request) -> date:
    """The day the suggestions are for: the exit date posted, else today."""
    try:
        return date.fromisoformat(request.POST.get("exit_date", ""))
    except ValueError:
        return timezone.localdate()


@permission_required("participant.change")
def enrolment_dates(request, pk, enrolment_pk):
    participant, enrolment = enrolment_for_change(request, pk, enrolment_pk)
    form = forms.EnrolmentDatesForm(request.POST or None, enrolment=enrolment)
    if (
        request.method == "POST"
        and form.is_valid()
        and save(
            form,
            lambda: services.enrolment_dates_correct(
                actor=request.user,
                enrolment=enrolment,
                entry_date=form.cleaned_data["entry_date"],
                exit_date=form.cleaned_data.get("exit_date"),
            ),
        )
    ):
        return done(request, participant, _("Dates corrected."))
    return form_page(
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
    participant, enrolment = enrolment_for_change(request, pk, enrolment_pk)
    follow_up = get_object_or_404(FollowUp, enrolment=enrolment)
    form = forms.FollowUpForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and save(
            form,
            lambda: services.followup_record(
                actor=request.user, follow_up=follow_up, **form.cleaned_data
            ),
        )
    ):
        return done(request, participant, _("Follow-up recorded."))
    return form_page(
        request,
        participant=participant,
        form=form,
        title=_("Record the follow-up"),
        intro=_("Due on %(date)s.") % {"date": follow_up.due_on.isoformat()},
    )
