"""The caseload and the registration of a new participant."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from emplus.core.choices import Phase
from emplus.core.permissions import permission_required
from emplus.pathways import forms, selectors, services
from emplus.pathways.views.common import apply_errors


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
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Participant %(ref)s registered.") % {"ref": participant.participant_ref},
            )
            return redirect("pathways:detail", pk=participant.pk)
    return render(request, "pathways/register.html", {"form": form})
