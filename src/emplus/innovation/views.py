"""Pages of the innovation pipeline: the board by stage (plain lists of links, moves through
forms: no JavaScript), the filtered list, an idea with its history, and strategies."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emplus.core.downloads import download_format, table_download
from emplus.core.forms import service_call
from emplus.core.permissions import has_permission, permission_required
from emplus.evidence.choices import indicator_rows
from emplus.innovation import selectors, services
from emplus.innovation.choices import Stage, allowed_moves
from emplus.innovation.forms import AdoptionForm, IdeaForm, MoveForm, StrategyGoalForm
from emplus.methods.selectors import enrolment_indicators, enrolment_progression

PER_PAGE = 25


@permission_required("innovation.view")
def board(request):
    return render(
        request,
        "innovation/board.html",
        {
            "columns": selectors.idea_board(viewer=request.user),
            "limit": selectors.BOARD_LIMIT,
            "can_add": has_permission(request.user, "innovation.change"),
            "own_organisations": selectors.idea_organisations(viewer=request.user),
        },
    )


def _filters(request) -> selectors.IdeaFilters:
    get = request.GET
    return selectors.IdeaFilters(
        stage=get.get("stage", "") if get.get("stage") in Stage.values else "",
        thematic_area=get.get("thematic_area", "")[:32],
        organisation=get.get("organisation", "")[:32],
        q=get.get("q", "").strip()[:100],
    )


@permission_required("innovation.view")
def idea_list(request):
    filters = _filters(request)
    query = "&".join(
        f"{key}={value}"
        for key, value in (
            ("stage", filters.stage),
            ("thematic_area", filters.thematic_area),
            ("organisation", filters.organisation),
        )
        if value
    )
    page = Paginator(selectors.idea_list(viewer=request.user, filters=filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "innovation/idea_list.html",
        {
            "page": page,
            "filters": filters,
            "query_without_page": query,
            "stages": Stage.choices,
            "areas": selectors.thematic_area_options(),
            "organisations": selectors.organisation_options(),
        },
    )


@permission_required("innovation.view")
def idea_export(request):
    file_format = download_format(request.GET.get("format"))
    if file_format is None:
        return HttpResponseBadRequest(_("Choose the format xlsx or csv."))
    header = [
        _("Title"),
        _("Stage"),
        _("Originator organisation"),
        _("Thematic area"),
        _("Target group"),
        _("Test bed"),
        _("Evidence level"),
        _("Adoptions"),
    ]
    rows = [
        [
            i.title,
            i.get_stage_display(),
            i.organisation.name,
            str(i.thematic_area),
            i.target_group,
            i.test_bed.name if i.test_bed else "",
            i.get_evidence_level_display() if i.evidence_level is not None else "",
            i.adoption_count,
        ]
        for i in selectors.idea_list(viewer=request.user, filters=_filters(request))
    ]
    return table_download(header, rows, name="innovation-ideas", file_format=file_format)


@permission_required("innovation.change")
def idea_new(request):
    form = IdeaForm(
        request.POST if request.method == "POST" else None,
        organisations=selectors.idea_organisations(viewer=request.user),
        thematic_areas=selectors.thematic_area_options(),
    )
    created = {}
    if (
        request.method == "POST"
        and form.is_valid()
        and service_call(
            form,
            lambda: created.setdefault(
                "idea", services.idea_create(actor=request.user, **form.cleaned_data)
            ),
        )
    ):
        messages.success(request, _("The idea is registered."))
        return redirect("innovation:idea", pk=created["idea"].pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "innovation/idea_form.html", {"form": form}, status=status)


def _move_form(request, idea, stage, data=None):
    return MoveForm(
        data,
        stage=stage,
        criteria=selectors.criteria_of(stage=stage),
        options={
            "method_versions": selectors.method_version_options(),
            "test_beds": selectors.test_bed_options(),
            "estimates": selectors.estimate_options(viewer=request.user),
        },
    )


@permission_required("innovation.view")
def idea_detail(request, pk, bound_form=None, status=200):
    idea = selectors.idea_get(viewer=request.user, pk=pk)
    can_change = selectors.idea_can_change(viewer=request.user, idea=idea)
    move_forms = []
    if can_change:
        for stage in allowed_moves(idea.stage):
            if isinstance(bound_form, MoveForm) and bound_form.stage == stage:
                move_forms.append(bound_form)
            else:
                move_forms.append(_move_form(request, idea, stage))
    adoption_form = None
    if can_change and idea.stage in (Stage.EVALUATED, Stage.SCALED):
        adoption_form = (
            bound_form
            if isinstance(bound_form, AdoptionForm)
            else AdoptionForm(
                organisations=selectors.organisation_options(),
                counties=selectors.county_options(),
            )
        )
    results = None
    if idea.test_bed is not None and idea.stage in (Stage.EVALUATED, Stage.SCALED):
        results = {
            "indicators": indicator_rows(enrolment_indicators(test_bed=idea.test_bed)),
            "progression": enrolment_progression(idea.test_bed.enrolments.all()),
        }
    return render(
        request,
        "innovation/idea_detail.html",
        {
            "idea": idea,
            "move_forms": move_forms,
            "adoption_form": adoption_form,
            "results": results,
            "estimate_visible": selectors.idea_estimate_visible(viewer=request.user, idea=idea),
        },
        status=status,
    )


@require_POST
@permission_required("innovation.change")
def idea_move(request, pk, stage: str):
    idea = selectors.idea_get(viewer=request.user, pk=pk)
    if not selectors.idea_can_change(viewer=request.user, idea=idea):
        raise Http404
    if stage not in Stage.values:
        raise Http404
    form = _move_form(request, idea, stage, request.POST)
    if form.is_valid() and service_call(
        form,
        lambda: services.idea_move(
            actor=request.user,
            idea=idea,
            to_stage=stage,
            decided_on=form.cleaned_data["decided_on"],
            criteria=form.cleaned_data["criteria"],
            note=form.cleaned_data["note"],
            facts=form.facts(),
        ),
    ):
        messages.success(
            request, _("The idea is moved to %(stage)s.") % {"stage": Stage(stage).label}
        )
        return redirect("innovation:idea", pk=idea.pk)
    return idea_detail(request, pk=pk, bound_form=form, status=400)


@require_POST
@permission_required("innovation.change")
def adoption_add(request, pk):
    idea = selectors.idea_get(viewer=request.user, pk=pk)
    if not selectors.idea_can_change(viewer=request.user, idea=idea):
        raise Http404
    form = AdoptionForm(
        request.POST,
        organisations=selectors.organisation_options(),
        counties=selectors.county_options(),
    )
    if form.is_valid() and service_call(
        form, lambda: services.adoption_add(actor=request.user, idea=idea, **form.cleaned_data)
    ):
        messages.success(request, _("The adoption is recorded."))
        return redirect("innovation:idea", pk=idea.pk)
    return idea_detail(request, pk=pk, bound_form=form, status=400)


@permission_required("innovation.view")
def strategy(request, pk, goal_form=None, status=200):
    organisation, goals, portfolio = selectors.strategy(viewer=request.user, organisation_pk=pk)
    can_change = organisation in selectors.idea_organisations(viewer=request.user)
    if can_change and goal_form is None:
        goal_form = StrategyGoalForm(thematic_areas=selectors.thematic_area_options())
    return render(
        request,
        "innovation/strategy.html",
        {
            "organisation": organisation,
            "goals": goals,
            "portfolio": portfolio,
            "goal_form": goal_form if can_change else None,
        },
        status=status,
    )


@require_POST
@permission_required("innovation.change")
def goal_add(request, pk):
    organisation, _goals, _portfolio = selectors.strategy(viewer=request.user, organisation_pk=pk)
    if organisation not in selectors.idea_organisations(viewer=request.user):
        raise Http404
    form = StrategyGoalForm(request.POST, thematic_areas=selectors.thematic_area_options())
    if form.is_valid() and service_call(
        form,
        lambda: services.strategy_goal_add(
            actor=request.user, organisation=organisation, **form.cleaned_data
        ),
    ):
        messages.success(request, _("The goal is added."))
        return redirect("innovation:strategy", pk=organisation.pk)
    return strategy(request, pk=pk, goal_form=form, status=400)
