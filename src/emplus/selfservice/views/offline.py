"""The offline queue's pages: the list of entries waiting to be sent, and the shells of the
forms that work without a connection. Shells carry no personal data: the service worker keeps
them and shows them in place of the real form when the network is gone."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from emplus.core.permissions import authenticated, permission_required
from emplus.pathways import forms as pathway_forms
from emplus.pathways import progress_data
from emplus.selfservice import forms


@authenticated
def outbox(request):
    return render(request, "selfservice/outbox.html", {})


def _shell(request, *, title: str, sections: list[dict], intro: str = ""):
    return render(
        request,
        "selfservice/shell.html",
        {"title": title, "sections": sections, "intro": intro},
    )


@permission_required("participant.change")
def shell_assessment(request):
    instrument = progress_data.instrument_active()
    sections = []
    if instrument is not None:
        form = pathway_forms.AssessmentForm(instrument=instrument, language=get_language() or "sv")
        sections.append({"kind": "assessment", "form": form, "heading": ""})
    return _shell(
        request,
        title=_("Record an assessment"),
        sections=sections,
        intro=_("Rate every dimension together with the participant."),
    )


@permission_required("participant.change")
def shell_event(request):
    return _shell(
        request,
        title=_("Record an event"),
        sections=[{"kind": "event", "form": pathway_forms.EventForm(), "heading": ""}],
    )


@permission_required("time.change")
def shell_time(request):
    return _shell(
        request,
        title=_("Attested time"),
        sections=[
            {"kind": "time_hours", "form": forms.HoursForm(), "heading": _("Hours this month")},
            {"kind": "time_paper", "form": forms.PaperForm(), "heading": _("Paper attestation")},
        ],
    )
