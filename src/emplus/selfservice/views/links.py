"""The coach's pages for self-service links: create one (with its QR code), see and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from emplus.core.permissions import permission_required
from emplus.pathways import progress_data
from emplus.selfservice import forms, selectors, services
from emplus.selfservice.choices import LinkPurpose, LinkState
from emplus.selfservice.qr import qr_svg
from emplus.selfservice.views.common import (
    apply_errors,
    public_url,
    remember_token,
    remembered_token,
)


@never_cache
@permission_required("selfservice.link")
def participant_links(request, pk):
    """A participant's links, and the form for a new self-assessment link."""
    participant = selectors.participant_for_selfservice(
        viewer=request.user, pk=pk, permission="selfservice.link"
    )
    instrument = progress_data.instrument_active()
    form = forms.LinkCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.selfservice_link_create(
                actor=request.user,
                participant=participant,
                purpose=LinkPurpose.ASSESSMENT,
                instrument=instrument,
                valid_days=form.cleaned_data["valid_days"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            remember_token(request.session, created.link.pk, created.token)
            messages.success(request, _("The link is ready: show the QR code or print it."))
            return redirect("selfservice:link_detail", link_pk=created.link.pk)
    links = list(selectors.link_list(viewer=request.user, participant=participant))
    return render(
        request,
        "selfservice/participant_links.html",
        {
            "participant": participant,
            "form": form,
            "links": links,
            "instrument": instrument,
            "has_open_enrolment": participant.enrolments.open().exists(),
        },
    )


@never_cache
@permission_required("selfservice.link")
def link_detail(request, link_pk):
    link = selectors.link_get(viewer=request.user, pk=link_pk)
    token = remembered_token(request.session, link.pk)
    state = link.state()
    context = {"link": link, "participant": link.participant, "state": state}
    if token and state == LinkState.PENDING:
        url = public_url(request, token)
        context.update(url=url, qr=qr_svg(url))
    return render(request, "selfservice/link_detail.html", context)


@require_POST
@permission_required("selfservice.link")
def link_revoke(request, link_pk):
    link = selectors.link_get(viewer=request.user, pk=link_pk)
    try:
        services.selfservice_link_revoke(actor=request.user, link=link)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The link is revoked: it no longer opens."))
    return redirect("selfservice:link_detail", link_pk=link.pk)
