"""Pages for data-subject rights: find a person, export everything about them, erase them."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from emplus.core.crypto import mask_personal_id
from emplus.core.permissions import permission_required
from emplus.pathways import rights


@permission_required("participant.rights")
@require_http_methods(["GET", "POST"])
def index(request):
    """Look a person up by reference. A POST keeps the reference out of URLs and access logs."""
    not_found = False
    reference = ""
    if request.method == "POST":
        reference = request.POST.get("participant_ref", "").strip()
        match = rights.participant_ref_find(viewer=request.user, reference=reference)
        if match is not None:
            return redirect("pathways:rights:participant", pk=match)
        not_found = True
    return render(
        request,
        "pathways/rights_index.html",
        {
            "not_found": not_found,
            "reference": reference,
            "retention_years": rights.retention_years(),
        },
    )


@permission_required("participant.rights")
def participant(request, pk):
    person = rights.participant_for_rights(viewer=request.user, pk=pk)
    return render(
        request,
        "pathways/rights_participant.html",
        {
            "participant": person,
            "masked_id": mask_personal_id(person.personal_id),
            "confirm_error": False,
        },
    )


@permission_required("participant.rights")
def export_json(request, pk):
    person = rights.participant_for_rights(viewer=request.user, pk=pk)
    data = rights.participant_export_data(actor=request.user, participant=person)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    # Named by the record id, never by the name or reference.
    response["Content-Disposition"] = f'attachment; filename="participant-{person.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@permission_required("participant.rights")
def export_page(request, pk):
    person = rights.participant_for_rights(viewer=request.user, pk=pk)
    data = rights.participant_export_data(actor=request.user, participant=person)
    response = render(request, "pathways/rights_export.html", {"participant": person, "data": data})
    response["Cache-Control"] = "no-store"
    return response


@permission_required("participant.erase")
@require_POST
def erase(request, pk):
    """Irreversible: the coordinator confirms by typing the participant's reference."""
    person = rights.participant_for_rights(
        viewer=request.user, pk=pk, permission="participant.erase"
    )
    if request.POST.get("confirm_ref", "").strip() != person.participant_ref:
        return render(
            request,
            "pathways/rights_participant.html",
            {
                "participant": person,
                "masked_id": mask_personal_id(person.personal_id),
                "confirm_error": True,
            },
            status=400,
        )
    rights.participant_erase(actor=request.user, participant=person)
    messages.success(
        request,
        _(
            "The participant's identity and free text have been erased. The anonymous statistical "
            "record remains."
        ),
    )
    return redirect("pathways:rights:index")
