"""The participant's page behind a one-time link: no account, nothing about them but their
first name, plain language, and a kind answer when the link cannot be used."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from emplus.selfservice import forms, ratelimit, selectors, services
from emplus.selfservice.choices import LinkPurpose, LinkState


def _wants_json(request) -> bool:
    # The page's own script sends a queued answer with this header; a form post never does.
    return "application/json" in request.headers.get("Accept", "")


def _respond(request, template: str, context: dict, *, status: int, body: dict | None = None):
    if _wants_json(request) and request.method == "POST":
        response = JsonResponse(body or {"status": context.get("outcome", "")}, status=status)
    else:
        response = render(request, template, context, status=status)
    # The token is in the address: no Referer leaves for another site, and nothing is cached.
    # ("no-referrer" would also blank the Origin of the page's own posts, which CSRF needs.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(request, link, reason: str):
    services.selfservice_link_refuse(link=link, reason=reason)
    status = 404 if reason == "unknown" else 410
    return _respond(
        request,
        "selfservice/public_refused.html",
        {"reason": reason, "outcome": reason},
        status=status,
        body={
            "status": "conflict" if reason == "used" else "gone",
            "reason": reason,
            "message": _refusal_message(reason),
        },
    )


def _refusal_message(reason: str) -> str:
    return {
        "used": _("This link has already been used. Thank you – your answers are saved."),
        "expired": _("This link is no longer valid. Ask your coach for a new one."),
        "revoked": _("This link is no longer valid. Ask your coach for a new one."),
        "unknown": _("We could not find this link. Check that the whole address was copied."),
        "busy": _("Too many attempts right now. Wait a few minutes and try again."),
    }[reason]


def _too_many(request, link, *, first: bool):
    if first:
        services.selfservice_link_refuse(link=link, reason="rate_limited")
    return _respond(
        request,
        "selfservice/public_refused.html",
        {"reason": "busy", "outcome": "busy"},
        status=429,
        body={"status": "busy", "message": _refusal_message("busy")},
    )


def _dimensions(instrument):
    english = (get_language() or "sv").startswith("en")
    result = []
    for dimension in instrument.dimensions.order_by("order"):
        dimension.label = dimension.label_en if english else dimension.label_sv
        dimension.low = dimension.anchor_low_en if english else dimension.anchor_low_sv
        dimension.high = dimension.anchor_high_en if english else dimension.anchor_high_sv
        result.append(dimension)
    return result


def _first_name(link) -> str:
    # Only the first word of the given name: nothing else about the person is shown.
    names = (link.participant.given_name or "").split()
    return names[0] if names else ""


def _assessment(request, link, token):
    instrument = link.instrument
    dimensions = _dimensions(instrument)
    form = forms.ParticipantAssessmentForm(
        request.POST or None, instrument=instrument, dimensions=dimensions
    )
    context = {
        "link": link,
        "first_name": _first_name(link),
        "instrument": instrument,
        "instrument_name": instrument.name_en
        if (get_language() or "sv").startswith("en")
        else instrument.name_sv,
        "form": form,
        "token": token,
    }
    if request.method == "POST":
        if not form.is_valid():
            return _respond(
                request,
                "selfservice/public_assessment.html",
                {**context, "questions": _questions(form, dimensions)},
                status=422,
                body={"status": "invalid", "message": _("Answer every question.")},
            )
        try:
            use = services.selfservice_link_use_for_assessment(
                link=link, key=form.cleaned_data["key"], scores=form.scores()
            )
        except services.LinkUnavailable as refusal:
            return _refused(request, link, refusal.state)
        except ValidationError:
            form.add_error(None, _("Some answers were not on the scale. Please answer again."))
            return _respond(
                request,
                "selfservice/public_assessment.html",
                {**context, "questions": _questions(form, dimensions)},
                status=422,
                body={"status": "invalid", "message": _("Answer every question.")},
            )
        return _respond(
            request,
            "selfservice/public_done.html",
            {**context, "outcome": "saved"},
            status=200 if use.replay else 201,
            body={"status": "saved", "replay": use.replay},
        )
    services.selfservice_link_open(link=link)
    return _respond(
        request,
        "selfservice/public_assessment.html",
        {**context, "questions": _questions(form, dimensions)},
        status=200,
    )


def _questions(form, dimensions):
    return [
        {"dimension": d, "field": form[f"score_{d.code}"], "number": index}
        for index, d in enumerate(dimensions, start=1)
    ]


def _attestation(request, link, token):
    row = selectors.participant_month(participant=link.participant, month=link.month)
    form = forms.AttestForm(request.POST or None, initial={"hours_seen": row.hours})
    context = {
        "link": link,
        "first_name": _first_name(link),
        "month": link.month,
        "hours": row.hours,
        "form": form,
        "token": token,
    }
    if request.method == "POST":
        if not form.is_valid():
            return _respond(
                request,
                "selfservice/public_attest.html",
                context,
                status=422,
                body={"status": "invalid", "message": _("Tick the box to confirm.")},
            )
        try:
            use = services.selfservice_link_use_for_attestation(
                link=link, key=form.cleaned_data["key"], hours_seen=form.cleaned_data["hours_seen"]
            )
        except services.LinkUnavailable as refusal:
            return _refused(request, link, refusal.state)
        except services.Conflict as conflict:
            fresh = forms.AttestForm(
                initial={"hours_seen": conflict.details.get("hours", row.hours)}
            )
            return _respond(
                request,
                "selfservice/public_attest.html",
                {**context, "form": fresh, "conflict": conflict.message, "hours": row.hours},
                status=409,
                body={"status": "conflict", "message": conflict.message},
            )
        return _respond(
            request,
            "selfservice/public_done.html",
            {**context, "outcome": "saved"},
            status=200 if use.replay else 201,
            body={"status": "saved", "replay": use.replay},
        )
    services.selfservice_link_open(link=link)
    return _respond(request, "selfservice/public_attest.html", context, status=200)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def link_page(request, token: str):
    address = ratelimit.client_address(request)
    allowed, first = ratelimit.hit("address", address)
    if not allowed:
        return _too_many(request, None, first=first)
    link = selectors.link_by_token(token=token)
    if link is None:
        allowed, first = ratelimit.hit("address_unknown", address)
        if not allowed:
            return _too_many(request, None, first=first)
        # Unknown tokens are not audited one by one (there is nothing to attach them to); the
        # rate limit's first refusal is.
        return _respond(
            request,
            "selfservice/public_refused.html",
            {"reason": "unknown", "outcome": "unknown"},
            status=404,
            body={"status": "gone", "reason": "unknown", "message": _refusal_message("unknown")},
        )
    allowed, first = ratelimit.hit("token", link.token_hash)
    if not allowed:
        return _too_many(request, link, first=first)
    state = services.selfservice_link_state(link)
    # A used link answers its own submission again (a lost answer, the offline queue); every
    # other visit gets the kind refusal.
    replay = request.method == "POST" and state == LinkState.USED and _same_key(request, link)
    if state != LinkState.PENDING and not replay:
        return _refused(request, link, str(state))
    if link.purpose == LinkPurpose.ASSESSMENT:
        return _assessment(request, link, token)
    return _attestation(request, link, token)


def _same_key(request, link) -> bool:
    return link.used_key is not None and request.POST.get("key", "") == str(link.used_key)


link_page.emplus_permission = "public"
