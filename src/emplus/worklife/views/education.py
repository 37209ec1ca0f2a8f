"""The forms of a participant's studies and the completion rates."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from emplus.core.permissions import permission_required
from emplus.worklife import forms, selectors, services
from emplus.worklife.views.common import form_page, group_filter
from emplus.worklife.views.participant import participant_page_url


@permission_required("education.change")
def education_new(request, pk):
    participant = selectors.participant_for_placements(
        viewer=request.user, pk=pk, permission="education.change"
    )
    return form_page(
        request,
        form=forms.EducationForm(request.POST or None),
        save=lambda data: services.education_record(
            actor=request.user, participant=participant, **data
        ),
        success=_("Studies recorded."),
        done=lambda education: participant_page_url(participant.pk),
        title=_("Record studies"),
        back=participant_page_url(participant.pk),
        participant=participant,
    )


@permission_required("education.change")
def education_edit(request, pk):
    education = selectors.education_for_change(viewer=request.user, pk=pk)
    return form_page(
        request,
        form=forms.EducationForm(request.POST or None, education=education),
        save=lambda data: services.education_update(
            actor=request.user, education=education, **data
        ),
        success=_("Studies saved."),
        done=lambda education: participant_page_url(education.participant_id),
        title=_("Edit studies"),
        back=participant_page_url(education.participant_id),
        participant=education.participant,
    )


@permission_required("evidence.view")
def completion(request):
    form, group_by, as_of = group_filter(request)
    response = render(
        request,
        "worklife/completion.html",
        {
            "form": form,
            "group_by": group_by,
            "as_of": as_of,
            "rows": selectors.completion_rates(viewer=request.user, group_by=group_by, as_of=as_of)
            if not form.errors
            else [],
        },
    )
    if form.errors:
        response.status_code = 400
    return response
