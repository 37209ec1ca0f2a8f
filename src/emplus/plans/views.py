"""Pages of the action plans: list, overview (with charts and tables), print view, XLSX
export, and the forms of plans, goals, actions and recorded values."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emplus.core.permissions import has_permission, permission_required
from emplus.plans import forms, selectors, services
from emplus.plans.charts import goal_chart
from emplus.plans.choices import ActionStatus
from emplus.plans.exports import plan_xlsx

PLANS_PER_PAGE = 20


def _saved(form, action) -> bool:
    """Run a service; its validation errors become the form's, naming the field."""
    try:
        action()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
        return False
    return True


@permission_required("plan.view")
def plan_list(request):
    form = forms.PlanFilterForm(
        request.GET or None,
        areas=selectors.thematic_area_options(),
        counties=selectors.county_options(),
    )
    filters = selectors.PlanFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.PlanFilters(**form.cleaned_data)
    page = Paginator(selectors.plan_list(viewer=request.user, filters=filters), PLANS_PER_PAGE)
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    query = urlencode({k: v for k, v in chosen.items() if v})
    return render(
        request,
        "plans/plan_list.html",
        {
            "form": form,
            "page": page.get_page(request.GET.get("page")),
            "query_without_page": query,
            "can_create": has_permission(request.user, "plan.change"),
        },
    )


def _overview(request, pk, template: str):
    plan = selectors.plan_get(viewer=request.user, pk=pk)
    today = timezone.localdate()
    rows = selectors.goal_rows(viewer=request.user, plan=plan, on=today)
    charts = [
        goal_chart(
            start=plan.period_start,
            deadline=row.goal.deadline,
            baseline=float(row.goal.baseline),
            target=float(row.goal.target),
            history=[(p.month, p.value) for p in row.history],
            live=(today, row.value),
        )
        for row in rows
    ]
    return render(
        request,
        template,
        {
            "plan": plan,
            "goals": list(zip(rows, charts, strict=True)),
            "today": today,
            "can_change": selectors.plan_can_change(viewer=request.user, plan=plan),
            "action_statuses": ActionStatus.choices,
        },
    )


@permission_required("plan.view")
def plan_detail(request, pk):
    return _overview(request, pk, "plans/plan_detail.html")


@permission_required("plan.view")
def plan_print(request, pk):
    return _overview(request, pk, "plans/plan_print.html")


@permission_required("plan.view")
def plan_export(request, pk):
    plan = selectors.plan_get(viewer=request.user, pk=pk)
    rows = selectors.goal_rows(viewer=request.user, plan=plan)
    response = HttpResponse(
        plan_xlsx(plan, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="action-plan-{plan.pk}.xlsx"'
    return response


@permission_required("plan.change")
def plan_new(request):
    options = selectors.plan_owner_options(viewer=request.user)
    form = forms.PlanForm(request.POST or None, options=options)
    created = []
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: created.append(services.plan_create(actor=request.user, **form.cleaned_data)),
        )
    ):
        messages.success(request, _("Action plan created."))
        return redirect("plans:detail", pk=created[0].pk)
    return render(
        request,
        "plans/form.html",
        {"form": form, "title": _("New action plan"), "back": reverse("plans:list")},
        status=400 if form.is_bound and form.errors else 200,
    )


@permission_required("plan.change")
def plan_edit(request, pk):
    plan = selectors.plan_for_change(viewer=request.user, pk=pk)
    initial = {
        "title": plan.title,
        "thematic_area": plan.thematic_area,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "description": plan.description,
    }
    form = forms.PlanEditForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form, lambda: services.plan_update(actor=request.user, plan=plan, **form.cleaned_data)
        )
    ):
        messages.success(request, _("Action plan saved."))
        return redirect("plans:detail", pk=plan.pk)
    return render(
        request,
        "plans/form.html",
        {
            "form": form,
            "title": _("Edit the action plan"),
            "back": reverse("plans:detail", args=[plan.pk]),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@permission_required("plan.change")
def goal_new(request, pk):
    plan = selectors.plan_for_change(viewer=request.user, pk=pk)
    initial = {"test_bed": plan.test_bed, "deadline": plan.period_end}
    if plan.owner_kind == "organisation":
        initial = {"organisation": plan.organisation, "deadline": plan.period_end}
    elif plan.owner_kind == "county":
        initial = {"county": plan.county, "deadline": plan.period_end}
    form = forms.GoalForm(
        request.POST or None,
        initial=initial,
        esf_codes=selectors.esf_code_options(),
        dimensions=selectors.dimension_options(),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.goal_add(actor=request.user, plan=plan, **form.goal_values()),
        )
    ):
        messages.success(request, _("Goal added."))
        return redirect("plans:detail", pk=plan.pk)
    return render(
        request,
        "plans/form.html",
        {
            "form": form,
            "title": _("New goal"),
            "plan": plan,
            "back": reverse("plans:detail", args=[plan.pk]),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
@permission_required("plan.change")
def goal_delete(request, goal_pk):
    goal = selectors.goal_for_change(viewer=request.user, pk=goal_pk)
    plan_pk = goal.plan_id
    services.goal_delete(actor=request.user, goal=goal)
    messages.success(request, _("Goal removed."))
    return redirect("plans:detail", pk=plan_pk)


@permission_required("plan.change")
def action_new(request, goal_pk):
    goal = selectors.goal_for_change(viewer=request.user, pk=goal_pk)
    form = forms.ActionForm(
        request.POST or None,
        initial={"responsible": goal.plan.organisation, "due_date": goal.deadline},
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form, lambda: services.action_add(actor=request.user, goal=goal, **form.cleaned_data)
        )
    ):
        messages.success(request, _("Action added."))
        return redirect(reverse("plans:detail", args=[goal.plan_id]) + f"#goal-{goal.pk}")
    return render(
        request,
        "plans/form.html",
        {
            "form": form,
            "title": _("New action for the goal “%(goal)s”") % {"goal": goal.title},
            "back": reverse("plans:detail", args=[goal.plan_id]),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
@permission_required("plan.change")
def action_status(request, action_pk):
    action = selectors.action_for_change(viewer=request.user, pk=action_pk)
    form = forms.ActionStatusForm(request.POST)
    if form.is_valid():
        services.action_status_set(actor=request.user, action=action, **form.cleaned_data)
        messages.success(request, _("Status of the action saved."))
    else:
        messages.error(request, _("Choose a status for the action."))
    return redirect(reverse("plans:detail", args=[action.goal.plan_id]) + f"#goal-{action.goal_id}")


@permission_required("plan.change")
def value_new(request, goal_pk):
    goal = selectors.goal_for_change(viewer=request.user, pk=goal_pk)
    form = forms.GoalValueForm(request.POST or None, initial={"recorded_on": timezone.localdate()})
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: services.goal_value_record(actor=request.user, goal=goal, **form.cleaned_data),
        )
    ):
        messages.success(request, _("Value recorded."))
        return redirect(reverse("plans:detail", args=[goal.plan_id]) + f"#goal-{goal.pk}")
    return render(
        request,
        "plans/form.html",
        {
            "form": form,
            "title": _("Record a value of “%(goal)s”") % {"goal": goal.title},
            "back": reverse("plans:detail", args=[goal.plan_id]),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
