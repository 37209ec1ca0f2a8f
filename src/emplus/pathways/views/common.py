"""What the pathway pages share: service errors on forms, the form page, the change lookups."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from emplus.pathways import selectors
from emplus.pathways.models import Enrolment, Participant


def apply_errors(form, error: ValidationError) -> None:
    """Put a service's validation errors next to the matching fields (else at the top)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = name if name in form.fields else None
            for item in errors:
                form.add_error(field, item.messages[0] if hasattr(item, "messages") else item)
    else:
        for message in error.messages:
            form.add_error(None, message)


def form_page(request, *, participant, form, title, intro="", submit=None):
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


def enrolment_for_change(request, pk, enrolment_pk) -> tuple[Participant, Enrolment]:
    participant = selectors.participant_for_change(viewer=request.user, pk=pk)
    enrolment = get_object_or_404(Enrolment, pk=enrolment_pk, participant=participant)
    return participant, enrolment


def done(request, participant, message):
    messages.success(request, message)
    return redirect("pathways:detail", pk=participant.pk)


def save(form, action) -> bool:
    """Run a service; on a validation error put it on the form. True when saved."""
    try:
        action()
    except ValidationError as error:
        apply_errors(form, error)
        return False
    return True
