"""Pages of the evidence module: ESF+ indicators with exports, socio-economic value, progression."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from emplus.core.permissions import permission_required
from emplus.core.uploads import upload_refused
from emplus.evidence import charts, selectors, services
from emplus.evidence_core.socioeconomic import (
    load_parameters,
    transitions_from_indicators,
    yearly_value,
)
from emplus.geo.models import County, Municipality
from emplus.methods.models import Method
from emplus.organisations.models import Organisation, Unit
from emplus.testbeds.models import TestBed

# The spec's indicator names, translated for the page (exports keep the spec's English names).
INDICATOR_LABELS = {
    "EECO01": _("Total number of participants"),
    "EECO02": _("Unemployed, including long-term unemployed"),
    "EECO03": _("Long-term unemployed"),
    "EECO04": _("Inactive"),
    "EECO05": _("Employed, including self-employed"),
    "EECO06": _("Below 18 years of age"),
    "EECO07": _("18 to 29 years of age"),
    "EECO08": _("55 years of age and above"),
    "EECO09": _("Lower secondary education or less (ISCED 0-2)"),
    "EECO10": _("Upper secondary or post-secondary education (ISCED 3-4)"),
    "EECO11": _("Tertiary education (ISCED 5-8)"),
    "EECO12": _("Participants with disabilities"),
    "EECO13": _("Third-country nationals"),
    "EECO14": _("Participants with a foreign background"),
    "EECO15": _("Minorities (including marginalised communities such as Roma)"),
    "EECO16": _("Homeless or affected by housing exclusion"),
    "EECO17": _("Participants from rural areas"),
    "EECR01": _("Engaged in job searching upon leaving"),
    "EECR02": _("In education or training upon leaving"),
    "EECR03": _("Gaining a qualification upon leaving"),
    "EECR04": _("In employment, including self-employment, upon leaving"),
    "EECR05": _("In employment, including self-employment, six months after leaving"),
    "EECR06": _("Improved labour-market situation six months after leaving"),
}
CORE_DATUM_LABELS = {
    "birth_date": _("Birth date"),
    "gender": _("Gender"),
    "lm_status_entry": _("Labour-market status at entry"),
    "isced": _("Highest education (ISCED)"),
    "unemployed_months": _("Months of unemployment (when unemployed)"),
}
ACTOR_LABELS = {
    "municipality": _("Municipality"),
    "region": _("Region"),
    "state": _("State"),
}


def _filter_choices(viewer) -> dict:
    if selectors.sees_partnership(viewer):
        organisations = Organisation.objects.all()
    else:
        organisations = Organisation.objects.filter(
            pk__in=selectors.full_detail_organisations(viewer)
        )
    return {
        "organisations": organisations.order_by("name"),
        "units": Unit.objects.filter(organisation__in=organisations)
        .select_related("organisation")
        .order_by("organisation__name", "name"),
        "counties": County.objects.order_by("code"),
        "municipalities": Municipality.objects.order_by("name"),
        "methods": Method.objects.order_by("code"),
        "test_beds": TestBed.objects.order_by("code"),
        "can_choose_all": selectors.sees_partnership(viewer),
    }


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
    filters, errors = selectors.IndicatorFilters.from_params(request.GET)
    report = selectors.indicator_report(viewer=request.user, filters=filters)
    export = request.GET.get("export")
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
        **_filter_choices(request.user),
    }
    return render(request, "evidence/indicators.html", context)


def block_label(months: int) -> str:
    """The calendar blocks special categories are counted on, in words."""
    return {
        12: _("whole calendar years"),
        6: _("whole calendar half-years"),
        3: _("whole calendar quarters"),
    }.get(months) or _("whole calendar periods of %(months)s months") % {"months": months}


GROUP_LABELS = {
    "organisation": _("Organisation"),
    "method": _("Method"),
    "phase": _("Phase"),
    "test_bed": _("Test bed"),
}


@permission_required("evidence.view")
def progression(request):
    from emplus.core.choices import Phase

    filters, errors = selectors.IndicatorFilters.from_params(request.GET)
    group_by = request.GET.get("group_by", "organisation")
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
        **_filter_choices(request.user),
    }
    return render(request, "evidence/progression.html", context)


# --- effect estimates ---------------------------------------------------------------------------


def estimates_of(viewer):
    """Estimates the viewer may see: their own, and those of their own organisations."""
    from django.db.models import Q

    from emplus.evidence.models import EffectEstimate

    own = selectors.full_detail_organisations(viewer)
    return EffectEstimate.objects.filter(Q(created_by=viewer) | Q(organisation__in=own))


@permission_required("evidence.view")
def effects(request):
    from emplus.evidence.effect_forms import EffectEstimateForm
    from emplus.evidence.estimates import GROUP_KEYS

    choices = _filter_choices(request.user)
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
        initial = {f"treated_{k}": request.GET[k] for k in GROUP_KEYS if request.GET.get(k)}
        form = EffectEstimateForm(viewer=request.user, choices=choices, initial=initial)
    context = {"form": form, "estimates": estimates_of(request.user)[:50], **choices}
    return render(request, "evidence/effects.html", context)


@permission_required("evidence.view")
def effect(request, pk):
    from django.utils.translation import get_language

    from emplus.evidence.models import EstimateCovariate, EstimateMethod, EstimateOutcome

    estimate = get_object_or_404(estimates_of(request.user), pk=pk)
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
