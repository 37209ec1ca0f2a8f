"""Pages of the evidence module: ESF+ indicators with exports, socio-economic value, progression."""

from __future__ import annotations

import io
from collections.abc import Iterable
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from emplus.core.choices import Phase
from emplus.core.permissions import permission_required
from emplus.core.uploads import upload_refused
from emplus.evidence import charts, selectors, services
from emplus.evidence.choices import (
    ACTOR_LABELS,
    CORE_DATUM_LABELS,
    GROUP_LABELS,
    INDICATOR_LABELS,
    EstimateCovariate,
    EstimateMethod,
    EstimateOutcome,
)
from emplus.evidence.effect_forms import EffectEstimateForm
from emplus.evidence.estimates import GROUP_KEYS
from emplus.evidence.filters import (
    EstimateFilterSet,
    EstimateGroupFilterSet,
    IndicatorFilterSet,
    ProgressionFilterSet,
)
from emplus.evidence_core.socioeconomic import (
    load_parameters,
    transitions_from_indicators,
    yearly_value,
)


def _export(report: selectors.IndicatorReport, kind: str) -> HttpResponse:
    name = f"esf-indicators-{report.result.as_of.isoformat()}"
    if kind == "csv":
        response = HttpResponse(report.result.to_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    buffer = io.BytesIO()
    report.result.write_xlsx(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@permission_required("evidence.view")
def indicators(request):
    filterset = IndicatorFilterSet(request.GET)
    filters, errors = filterset.selector_filters, filterset.error_dict()
    report = selectors.indicator_report(viewer=request.user, filters=filters)
    export = request.GET.get("export")  # the output format, not a filter
    if export in ("csv", "xlsx") and not errors:
        return _export(report, export)
    rows = [{"row": row, "label": INDICATOR_LABELS[row.code]} for row in report.result.indicators]
    value = yearly_value(
        transitions_from_indicators({r.code: r.total for r in report.result.indicators})
    )
    params = filters.as_params()
    query = "&".join(f"{k}={v}" for k, v in params.items())
    special = report.special
    context = {
        "special": special,
        "special_labels": [INDICATOR_LABELS[c] for c in special.codes] if special else [],
        "special_period": block_label(special.block_months) if special else "",
        "special_query": (
            urlencode(special.whole_request) if special and special.whole_request else ""
        ),
        "filters": filters,
        "filterset": filterset,
        "errors": errors,
        "report": report,
        "rows": rows,
        "missing": (
            [(CORE_DATUM_LABELS[k], v) for k, v in report.missing_core.items()]
            if report.missing_core is not None
            else None
        ),
        "value": value,
        "persons": int(value.persons.central) if value else 0,
        "value_rows": (
            [(ACTOR_LABELS[a], value.by_actor[a]) for a in ACTOR_LABELS] if value else []
        ),
        "parameters": load_parameters(),
        "export_query": query,
        **_filter_options(viewer=request.user, filters=filters),
    }
    return render(request, "evidence/indicators.html", context)


def _filter_options(*, viewer, filters: selectors.IndicatorFilters) -> dict:
    """The filters' choices (`selectors.filter_choices`) as their `<option>`s, the chosen one
    selected, joined in Python from plain values: a template loop over the 290 municipalities
    and the other lists cost about half the CPU of a view whose report is kept (decision 65)."""
    choices = selectors.filter_choices(viewer=viewer)
    units = choices["units"].values_list("pk", "organisation__code", "name")
    return {
        "can_choose_all": choices["can_choose_all"],
        "organisation_options": _options(
            choices["organisations"].values_list("code", "name"), filters.organisation
        ),
        "unit_options": _options(((pk, f"{org}: {name}") for pk, org, name in units), filters.unit),
        "county_options": _options(choices["counties"].values_list("code", "name"), filters.county),
        "municipality_options": _options(
            choices["municipalities"].values_list("code", "name"), filters.municipality
        ),
        "method_options": _options(((m.code, m) for m in choices["methods"]), filters.method),
        "test_bed_options": _options(((t.code, t) for t in choices["test_beds"]), filters.test_bed),
    }


def _options(pairs: Iterable[tuple[object, object]], selected: object) -> SafeString:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == selected else "", label) for value, label in pairs),
    )


def block_label(months: int) -> str:
    """The calendar blocks special categories are counted on, in words."""
    label = {
        12: _("whole calendar years"),
        6: _("whole calendar half-years"),
        3: _("whole calendar quarters"),
    }.get(months)
    return str(label or _("whole calendar periods of %(months)s months") % {"months": months})


@permission_required("evidence.view")
def progression(request):
    filterset = ProgressionFilterSet(request.GET)
    filters, errors = filterset.selector_filters, filterset.error_dict()
    group_by = filterset.group_by_value
    report = selectors.progression_report(viewer=request.user, filters=filters, group_by=group_by)
    labels = dict(report.dimensions) | {"total": _("Total score")}
    phase_labels = dict(Phase.choices)
    rows = []
    for r in report.rows:
        if r.group == "":
            group = _("All")
        elif r.group == selectors.NO_GROUP:
            group = _("None recorded")
        elif report.group_by == "phase":
            group = phase_labels.get(r.group, r.group)
        else:
            group = r.group
        rows.append({"row": r, "group": group, "dimension": labels.get(r.dimension, r.dimension)})
    context = {
        "filters": filters,
        "filterset": filterset,
        "errors": errors,
        "report": report,
        "rows": rows,
        "sensitive_labels": [labels.get(code, code) for code in report.sensitive],
        "special_period": block_label(selectors.special_calendar().months),
        "special_query": (
            urlencode({**report.whole_request, "group_by": report.group_by})
            if report.whole_request is not None
            else ""
        ),
        "group_choices": list(GROUP_LABELS.items()),
        **_filter_options(viewer=request.user, filters=filters),
    }
    return render(request, "evidence/progression.html", context)


# --- effect estimates ---------------------------------------------------------------------------


@permission_required("evidence.view")
def effects(request):
    choices = selectors.filter_choices(viewer=request.user)
    listed = EstimateFilterSet(request.GET)  # the list of estimates, as in the API
    if request.method == "POST":
        form = EffectEstimateForm(
            request.POST,
            request.FILES,
            viewer=request.user,
            choices=choices,
            upload_refused=upload_refused(request),
        )
        if form.is_valid():
            estimate = services.effect_estimate_start(actor=request.user, **form.estimate_values())
            return redirect("evidence:effect", pk=estimate.pk)
    else:
        # ?test_bed=<code> (and the other group keys) prefill the treated group.
        group = EstimateGroupFilterSet(request.GET)
        initial = {f"treated_{k}": v for k, v in group.as_params().items() if k in GROUP_KEYS}
        form = EffectEstimateForm(viewer=request.user, choices=choices, initial=initial)
    context = {
        "form": form,
        "filterset": group if request.method != "POST" else None,
        "estimate_filterset": listed,
        "estimates": selectors.effect_estimate_list(
            viewer=request.user, filters=listed.selector_filters
        )[:50],
        **choices,
    }
    return render(request, "evidence/effects.html", context)


@permission_required("evidence.view")
def effect(request, pk):
    estimate = get_object_or_404(selectors.effect_estimate_list(viewer=request.user), pk=pk)
    result = estimate.result or {}
    balance = result.get("balance", [])
    english = (get_language() or "sv").startswith("en")
    summary = estimate.summary_en if english else estimate.summary_sv
    context = {
        "estimate": estimate,
        "result": result,
        "balance": balance,
        "chart": charts.balance_chart(balance) if balance else None,
        "summary": summary,
        "method_label": dict(EstimateMethod.choices).get(estimate.method, estimate.method),
        "outcome_label": dict(EstimateOutcome.choices).get(estimate.outcome, estimate.outcome),
        "covariate_labels": [
            dict(EstimateCovariate.choices).get(c, c) for c in estimate.covariates
        ],
    }
    return render(request, "evidence/effect.html", context)
