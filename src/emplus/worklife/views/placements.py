"""The forms of a participant's workplace placements."""

from __future__ import annotations

from django.utils.translation import gettext as _

from emplus.core.permissions import permission_required
from emplus.worklife import forms, selectors, services
from emplus.worklife.views.common import form_page
from emplus.worklife.views.participant import participant_page_url


@permission_required("placement.change")
def placement_new(request, pk):
    participant = selectors.participant_for_placements(
        viewer=request.user, pk=pk, permission="placement.change"
    )
    return form_page(
        request,
        form=forms.PlacementForm(
            request.POST or None, employers=selectors.employer_options(viewer=request.user)
        ),
        save=lambda data: services.placement_record(
            actor=request.user, participant=participant, **data
        ),
        success=_("Placement recorded."),
        done=lambda placement: participant_page_url(participant.pk),
        title=_("Record a workplace placement"),
        back=participant_page_url(participant.pk),
        participant=participant,
    )


@permission_required("placement.change")
def placement_edit(request, pk):
    placement = selectors.placement_for_change(viewer=request.user, pk=pk)
    return form_page(
        request,
        form=forms.PlacementForm(
            request.POST or None,
            employers=selectors.employer_options(viewer=request.user),
            placement=placement,
        ),
        save=lambda data: services.placement_update(
            actor=request.user, placement=placement, **data
        ),
        success=_("Placement saved."),
        done=lambda placement: participant_page_url(placement.participant_id),
        title=_("Edit workplace placement"),
        back=participant_page_url(placement.participant_id),
        participant=placement.participant,
    )
