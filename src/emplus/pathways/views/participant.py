"""The participant page and the changes to the participant: entry data, consent, sharing."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emplus.core import scoping
from emplus.core.crypto import mask_personal_id
from emplus.core.permissions import permission_required
from emplus.organisations.models import Organisation
from emplus.pathways import forms, selectors, services
from emplus.pathways.models import Participant
from emplus.pathways.views.common import done, form_page, save


def _can_change(user, participant: Participant) -> bool:
    """What `scoping.allows` asks the database, answered from the row already read (the page's
    participant, not erased): a change is never granted by consent sharing, so the grants
    of "participant.change" covering its organisation and unit decide alone (a test compares
    the two for every persona)."""
    return scoping.grants(user, "participant.change").covers(
        organisation_id=participant.organisation_id, unit_id=participant.unit_id
    )


def _known_elsewhere(request, participant: Participant) -> list[dict]:
    """Other organisations that know the same person, where the consents allow saying so:
    names only, and whether sharing has already been requested from them."""
    known = selectors.participant_known_elsewhere(viewer=request.user, participant=participant)
    if known.limited:
        messages.warning(request, _known_elsewhere_limited_message())
    others = known.organisations
    if not others:
        return []
    requested = selectors.share_requests_pending(participant=participant, organisations=others)
    return [{"organisation": o, "requested": o.pk in requested} for o in others]


def _known_elsewhere_limited_message() -> str:
    return _(
        "You have checked %(count)s persons against the other organisations in the last hour, "
        "the most allowed. The check resumes within the hour."
    ) % {"count": selectors.known_elsewhere_per_hour()}


@permission_required("participant.view")
def detail(request, pk):
    participant = selectors.participant_get(viewer=request.user, pk=pk)
    can_change = _can_change(request.user, participant)
    consent = selectors.consent_current(participant=participant)
    enrolments = selectors.participant_enrolments(participant=participant)
    # Their steps, events, goals and assessments in one query (decision 71).
    read = selectors.enrolment_records(participant=participant) if enrolments else {}
    records = [read.get(e.pk) or selectors.EnrolmentRecord() for e in enrolments]
    context = {
        "participant": participant,
        "masked_id": mask_personal_id(participant.personal_id),
        "can_change": can_change,
        "consent": consent,
        "consent_shared_with": selectors.consent_shared_with(consent=consent),
        "past_consents": [c for c in participant.consents.all() if c != consent],
        "enrolments": [
            {
                "enrolment": e,
                "timeline": selectors.enrolment_timeline(enrolment=e, record=record),
                "open": e.exit_date is None,
            }
            for e, record in zip(enrolments, records, strict=True)
        ],
        "has_open_enrolment": any(e.exit_date is None for e in enrolments),
        "known_elsewhere": _known_elsewhere(request, participant) if can_change else [],
        **selectors.participant_progress_summary(
            participant=participant, language=get_language(), records=records
        ),
    }
    return render(request, "pathways/detail.html", context)


@permission_required("participant.change")
def participant_edit(request, pk):
    selectors.participant_for_change(viewer=request.user, pk=pk)
    participant = selectors.participant_get(viewer=request.user, pk=pk)
    form = forms.ParticipantEditForm(request.POST or None, participant=participant)
    if (
        request.method == "POST"
        and form.is_valid()
        and save(
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
        return done(request, participant, _("Entry data saved."))
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
        and save(
            form,
            lambda: services.consent_record(
                actor=request.user, participant=participant, **form.consent_values()
            ),
        )
    ):
        return done(request, participant, _("Consent recorded."))
    return form_page(request, participant=participant, form=form, title=_("Record consent"))


@require_POST
@permission_required("participant.change")
def consent_withdraw(request, pk, consent_pk):
    participant = selectors.participant_for_change(viewer=request.user, pk=pk)
    consent = get_object_or_404(participant.consents.all(), pk=consent_pk)
    services.consent_withdraw(actor=request.user, consent=consent)
    return done(
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
        for o in selectors.participant_known_elsewhere(
            viewer=request.user, participant=participant
        ).organisations
    }
    organisation: Organisation | None = known.get(organisation_pk)
    if organisation is None:
        raise Http404
    # The other organisation's record is looked up here and never shown: only its owner sees it.
    theirs = selectors.participant_same_person(participant=participant, organisation=organisation)
    if theirs is None:
        raise Http404
    services.share_request_create(
        actor=request.user, participant=theirs, organisation=participant.organisation
    )
    return done(
        request,
        participant,
        _("Sharing requested from %(organisation)s.") % {"organisation": organisation.name},
    )
