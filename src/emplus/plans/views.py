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


def _form_page(request, form, save, *, title, done, back, plan=None):
    """A form page: on a valid POST run `save` (a service call returning the URL to go to,
    its validation errors shown by field), else show the form (400 with errors)."""
    if request.method == "POST" and form.is_valid():
        target = []
        if _saved(form, lambda: target.append(save())):
            messages.success(request, done)
            return redirect(target[0])
    return render(
        request,
        "plans/form.html",
        {"form": form, "title": title, "back": back, "plan": plan},
        status=400 if form.is_bound and form.errors else 200,
    )


def _goal_url(goal) -> str:
    return reverse("plans:detail", args=[goal.plan_id]) + f"#goal-{goal.pk}"


@permission_required("plan.change")
def plan_new(request):
    options = selectors.plan_owner_options(viewer=request.user)
    form = forms.PlanForm(request.POST or None, options=options)
    return _form_page(
        request,
        form,
        lambda: reverse(
            "plans:detail",
            args=[services.plan_create(actor=request.user, **form.cleaned_data).pk],
        ),
        title=_("New action plan"),
        done=_("Action plan created."),
        back=reverse("plans:list"),
    )


@permission_required("plan.change")
def plan_edit(request, pk):
    plan = selectors.plan_for_change(viewer=request.user, pk=pk)
    fields = ["title", "thematic_area", "period_start", "period_end", "description"]
    form = forms.PlanEditForm(
        request.POST or None, initial={name: getattr(plan, name) for name in fields}
    )
    back = reverse("plans:detail", args=[plan.pk])

    def save():
        services.plan_update(actor=request.user, plan=plan, **form.cleaned_data)
        return back

    return _form_page(
        request,
        form,
        save,
        title=_("Edit the action plan"),
        done=_("Action plan saved."),
        back=back,
    )


@permission_required("plan.change")
def goal_new(request, pk):
    plan = selectors.plan_for_change(viewer=request.user, pk=pk)
    # The goal counts the owner's participants unless the planner narrows or widens it.
    initial = {
        "organisation": plan.organisation if plan.owner_kind == "organisation" else None,
        "test_bed": plan.test_bed,
        "county": plan.county,
        "deadline": plan.period_end,
    }
    form = forms.GoalForm(
        request.POST or None,
        initial=initial,
        esf_codes=selectors.esf_code_options(),
        dimensions=selectors.dimension_options(),
    )
    return _form_page(
        request,
        form,
        lambda: _goal_url(services.goal_add(actor=request.user, plan=plan, **form.goal_values())),
        title=_("New goal"),
        done=_("Goal added."),
        back=reverse("plans:detail", args=[plan.pk]),
        plan=plan,
    )


@permission_required("plan.change")
def goal_edit(request, goal_pk):
    goal = selectors.goal_for_change(viewer=request.user, pk=goal_pk)
    form = forms.GoalEditForm(
        request.POST or None,
        goal=goal,
        bound_locked=selectors.goal_has_history(goal=goal),
        esf_codes=selectors.esf_code_options(),
        dimensions=selectors.dimension_options(),
    )
    return _form_page(
        request,
        form,
        lambda: _goal_url(
            services.goal_update(actor=request.user, goal=goal, **form.goal_values())
        ),
        title=_("Edit the goal “%(goal)s”") % {"goal": goal.title},
        done=_("Goal saved."),
        back=_goal_url(goal),
        plan=goal.plan,
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

    def save():
        services.action_add(actor=request.user, goal=goal, **form.cleaned_data)
        return _goal_url(goal)

    return _form_page(
        request,
        form,
        save,
        title=_("New action for the goal “%(goal)s”") % {"goal": goal.title},
        done=_("Action added."),
        back=reverse("plans:detail", args=[goal.plan_id]),
        plan=goal.plan,
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
    return redirect(_goal_url(action.goal))


@permission_required("plan.change")
def value_new(request, goal_pk):
    goal = selectors.goal_for_change(viewer=request.user, pk=goal_pk)
    form = forms.GoalValueForm(request.POST or None, initial={"recorded_on": timezone.localdate()})

    def save():
        services.goal_value_record(actor=request.user, goal=goal, **form.cleaned_data)
        return _goal_url(goal)

    return _form_page(
        request,
        form,
        save,
        title=_("Record a value of “%(goal)s”") % {"goal": goal.title},
        done=_("Value recorded."),
        back=reverse("plans:detail", args=[goal.plan_id]),
        plan=goal.plan,
    )
