"""Pages of opportunities and matching: the list, an opportunity, its ranked participants,
proposals and their moves, a participant's work profile, exports and placement outcomes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emplus.core.export_cells import table_bytes
from emplus.core.permissions import has_permission, permission_required
from emplus.worklife import exporting, forms, selectors, services
from emplus.worklife.choices import PROPOSAL_MOVES
from emplus.worklife.views.common import form_page, saved


def _detail_url(opportunity) -> str:
    return reverse("worklife:opportunity_detail", args=[opportunity.pk])


@permission_required("opportunity.view")
def opportunity_list(request):
    form = forms.OpportunityFilterForm(request.GET or None)
    filters = selectors.OpportunityFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.OpportunityFilters(
            q=data["q"].strip(),
            kind=data["kind"],
            ssyk=data["ssyk"],
            municipality=data["municipality"].pk if data["municipality"] else "",
            open_only=not data["closed"],
        )
    page = Paginator(
        selectors.opportunity_list(viewer=request.user, filters=filters),
        selectors.OPPORTUNITIES_PER_PAGE,
    ).get_page(request.GET.get("page"))
    kept = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "worklife/opportunity_list.html",
        {
            "page": page,
            "form": form,
            "query_without_page": urlencode(kept),
            "can_add": has_permission(request.user, "opportunity.change"),
            "can_export": has_permission(request.user, "opportunity.change"),
            "can_see_results": has_permission(request.user, "evidence.view"),
        },
    )


@permission_required("opportunity.view")
def opportunity_detail(request, pk):
    opportunity = selectors.opportunity_get(viewer=request.user, pk=pk)
    can_propose = has_permission(request.user, "proposal.change")
    return render(
        request,
        "worklife/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "groups": selectors.opportunity_occupation(opportunity=opportunity),
            "can_change": selectors.opportunity_can_change(
                viewer=request.user, opportunity=opportunity
            ),
            "can_match": can_propose,
            "counts": selectors.proposal_counts(viewer=request.user, opportunity=opportunity),
            "proposals": selectors.opportunity_proposals(
                viewer=request.user, opportunity=opportunity
            )
            if has_permission(request.user, "proposal.view")
            else [],
        },
    )


def _opportunity_form(request, opportunity=None):
    return forms.OpportunityForm(
        request.POST or None,
        owners=selectors.opportunity_owner_options(viewer=request.user),
        employers=selectors.employer_options(viewer=request.user),
        opportunity=opportunity,
    )


@permission_required("opportunity.change")
def opportunity_new(request):
    form = _opportunity_form(request)
    if request.method == "GET" and request.GET.get("employer"):
        form.initial["employer"] = request.GET["employer"][:40]
    return form_page(
        request,
        form=form,
        save=lambda data: services.opportunity_create(
            actor=request.user, organisation=data["organisation"], **form.opportunity_values()
        ),
        success=_("Opportunity registered."),
        done=_detail_url,
        title=_("Register an opportunity"),
        back=reverse("worklife:opportunity_list"),
    )


@permission_required("opportunity.change")
def opportunity_edit(request, pk):
    opportunity = selectors.opportunity_for_change(viewer=request.user, pk=pk)
    form = _opportunity_form(request, opportunity)
    return form_page(
        request,
        form=form,
        save=lambda data: services.opportunity_update(
            actor=request.user, opportunity=opportunity, **form.opportunity_values()
        ),
        success=_("Opportunity saved."),
        done=_detail_url,
        title=_("Edit opportunity %(title)s") % {"title": opportunity.title},
        back=_detail_url(opportunity),
    )


@permission_required("proposal.change")
def opportunity_matches(request, pk):
    opportunity = selectors.opportunity_get(viewer=request.user, pk=pk)
    matches = selectors.opportunity_matches(
        viewer=request.user, opportunity=opportunity, page=request.GET.get("page")
    )
    return render(
        request,
        "worklife/opportunity_matches.html",
        {
            "opportunity": opportunity,
            "matches": matches,
            "page": matches.page,
            "today": timezone.localdate(),
        },
    )


@require_POST
@permission_required("proposal.change")
def proposal_new(request, pk):
    opportunity = selectors.opportunity_get(viewer=request.user, pk=pk)
    participant = selectors.participant_for_proposal(
        viewer=request.user, pk=request.POST.get("participant", "")
    )
    back = reverse("worklife:opportunity_matches", args=[opportunity.pk])
    page = request.POST.get("page", "")
    if page.isdigit():
        back += f"?page={page}"
    try:
        proposal = services.proposal_create(
            actor=request.user,
            opportunity=opportunity,
            participant=participant,
            proposed_on=timezone.localdate(),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(
        request,
        _("%(ref)s proposed to %(title)s.")
        % {"ref": participant.participant_ref, "title": opportunity.title},
    )
    return redirect("worklife:proposal_detail", pk=proposal.pk)


@permission_required("proposal.view")
def proposal_detail(request, pk):
    proposal = selectors.proposal_get(viewer=request.user, pk=pk)
    can_change = selectors.participant_can_propose(
        viewer=request.user, participant=proposal.participant
    )
    moves = PROPOSAL_MOVES[proposal.status]
    form = None
    if can_change and moves:
        form = forms.ProposalMoveForm(request.POST or None, moves=moves)
        if (
            request.method == "POST"
            and form.is_valid()
            and saved(
                form,
                lambda: services.proposal_move(
                    actor=request.user, proposal=proposal, **form.cleaned_data
                ),
            )
        ):
            messages.success(request, _("Proposal moved on."))
            return redirect("worklife:proposal_detail", pk=proposal.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "worklife/proposal_detail.html",
        {"proposal": proposal, "form": form, "participant": proposal.participant},
        status=400 if form is not None and form.is_bound else 200,
    )


@permission_required("proposal.change")
def work_profile_edit(request, pk):
    participant = selectors.participant_for_placements(
        viewer=request.user, pk=pk, permission="proposal.change"
    )
    profile = selectors.work_profile_of(viewer=request.user, participant=participant)
    initial = {}
    if profile is not None:
        initial = {
            "occupational_goals": ", ".join(profile.occupational_goals),
            "max_commute_km": profile.max_commute_km,
            "hours_per_week": profile.hours_per_week,
            "available_from": profile.available_from,
        }
    form = forms.WorkProfileForm(request.POST or None, initial=initial)
    back = reverse("worklife:participant_placements", args=[participant.pk])
    return form_page(
        request,
        form=form,
        save=lambda data: services.work_profile_set(
            actor=request.user, participant=participant, **form.profile_values()
        ),
        success=_("Work profile saved."),
        done=lambda _profile: back,
        title=_("Work profile for matching"),
        back=back,
        participant=participant,
    )


def _download(request, *, name: str, sheet: str, headers, rows) -> HttpResponse:
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    content_type = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[fmt]
    response = HttpResponse(
        table_bytes(headers, rows, file_format=fmt, sheet_name=sheet), content_type=content_type
    )
    filename = f"{name}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@permission_required("opportunity.change")
def opportunity_export(request):
    headers, rows = exporting.opportunity_table(
        selectors.opportunity_export_rows(viewer=request.user), actor=request.user
    )
    return _download(
        request, name="opportunities", sheet=_("Opportunities"), headers=headers, rows=rows
    )


@permission_required("proposal.view")
def proposal_export(request):
    headers, rows = exporting.proposal_table(
        selectors.proposal_export_rows(viewer=request.user), actor=request.user
    )
    return _download(request, name="proposals", sheet=_("Proposals"), headers=headers, rows=rows)
