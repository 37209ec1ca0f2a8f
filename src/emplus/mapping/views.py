"""Pages of the mapping module: coverage map and table, white spots, activities, search."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from emplus.core.choices import Arena, Phase, TargetGroup, labels
from emplus.core.export_cells import safe_row
from emplus.core.permissions import has_permission, permission_required
from emplus.geo import maps
from emplus.geo import selectors as geo_selectors
from emplus.mapping import report as report_module
from emplus.mapping import search as search_module
from emplus.mapping import selectors, services
from emplus.mapping.choices import DeliveryMode
from emplus.mapping.filters import ActivityFilterSet, CoverageFilterSet, WhiteSpotFilterSet
from emplus.mapping.forms import ActivityForm
from emplus.mapping.models import Activity
from emplus.organisations.permissions import can_change_owned, editable_organisation_ids

# Class breaks for activities per 10 000 inhabitants; the first class holds only "none".
RATE_BREAKS = (0.001, 1.0, 2.0, 4.0)


def rate_label(value: float) -> str:
    return number_format(value, 2)


def _rate_legend() -> list[str]:
    return [
        _("none"),
        _("under %(n)s") % {"n": 1},
        "1–2",
        "2–4",
        _("%(n)s or more") % {"n": 4},
    ]


# What a row of the activity list shows (`_activity_rows`), read as values: no model instances.
ACTIVITY_LIST_COLUMNS = (
    "pk",
    "title",
    "organisation__name",
    "arena",
    "delivery_mode",
    "start_date",
)


def _activity_rows(activities: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The activity list's rows as the table shows them. Made here rather than in the template
    (decision 54): each choice's label translated once a request rather than once a row (the
    model's `get_..._display` built the choices' dictionary at every call), each row's address
    from one `reverse()`, the start date as ISO 8601 (the `date:"Y-m-d"` of before)."""
    arenas = {value: str(label) for value, label in Arena.choices}
    modes = {value: str(label) for value, label in DeliveryMode.choices}
    placeholder = str(uuid.UUID(int=0))
    address = reverse("mapping:activity", args=[placeholder])
    return [
        {
            "url": address.replace(placeholder, str(activity["pk"])),
            "title": activity["title"],
            "organisation": activity["organisation__name"],
            "arena": arenas.get(activity["arena"], activity["arena"]),
            "delivery_mode": modes.get(activity["delivery_mode"], activity["delivery_mode"]),
            "start_date": activity["start_date"].isoformat(),
        }
        for activity in activities
    ]


def _filter_choices() -> dict:
    return {
        "arenas": Arena.choices,
        "phases": Phase.choices,
        "target_groups": TargetGroup.choices,
        **selectors.activity_filter_options(),
    }


def _sort_params(request, sort: str, default: str = "code") -> tuple[str, bool, str]:
    sort = sort or default
    key = sort.lstrip("-")
    # The address of the same page without the sort, for the column headers' links.
    params = request.GET.copy()
    params.pop("sort", None)
    return key, sort.startswith("-"), params.urlencode()


PARTICIPANT_BREAKS = (0.001, 2.0, 5.0, 10.0)


def _participant_legend() -> list[str]:
    return [
        _("none"),
        _("under %(n)s") % {"n": 2},
        "2–5",
        "5–10",
        _("%(n)s or more") % {"n": 10},
    ]


def coverage_map(rows, *, level: str, participants: bool = False) -> maps.Choropleth:
    return maps.choropleth(
        level=level,
        names={r.code: r.name for r in rows},
        values={r.code: r.per_10k for r in rows},
        breaks=PARTICIPANT_BREAKS if participants else RATE_BREAKS,
        legend_labels=_participant_legend() if participants else _rate_legend(),
        value_format=rate_label,
    )


@permission_required("activity.view")
def coverage(request):
    filterset = CoverageFilterSet(request.GET)
    filters, shown = filterset.selector_filters, filterset.view
    participants = shown.measure == "participants"
    level = "county" if shown.level == "county" and not filters.county else ""
    suppressed_below = None
    if participants:
        # Personal data in aggregate: suppressed unless all of it is the viewer's own.
        result = selectors.participant_coverage(viewer=request.user, filters=filters)
        rows = result.counties if level == "county" else result.municipalities
        suppressed_below = result.suppressed_below
    elif level == "county":
        rows = selectors.county_coverage(viewer=request.user, filters=filters)
    else:
        rows = selectors.municipality_coverage(viewer=request.user, filters=filters)
    key, descending, query_without_sort = _sort_params(request, shown.sort)
    county = geo_selectors.county_find(code=filters.county) if filters.county else None
    columns = [
        ("code", _("Code"), False),
        ("name", _("County") if level == "county" else _("Municipality"), False),
    ]
    if not level and not county:
        columns.append(("county", _("County"), False))
    columns += [("population", _("Population 2024"), True)]
    if participants:
        columns += [
            ("activities", _("Participants"), True),
            ("rate", _("Participants per 10 000 inhabitants"), True),
        ]
    else:
        columns += [
            ("activities", _("Activities"), True),
            ("rate", _("Activities per 10 000 inhabitants"), True),
        ]
    return render(
        request,
        "mapping/coverage.html",
        {
            "filters": filters,
            "filterset": filterset,
            "level": level,
            "county": county,
            "measure": "participants" if participants else "",
            "suppressed_below": suppressed_below,
            "rows": selectors.coverage_sorted(rows, sort=key, descending=descending),
            "map": coverage_map(rows, level=level or "municipality", participants=participants),
            "sort": key,
            "descending": descending,
            "query_without_sort": query_without_sort,
            "columns": columns,
            **_filter_choices(),
        },
    )


@permission_required("activity.view")
def white_spots(request):
    filterset = WhiteSpotFilterSet(request.GET)
    arena, max_rate = filterset.selector_filters.arena, filterset.selector_filters.max_rate
    rows = selectors.white_spots(viewer=request.user, arena=arena, max_per_10k=max_rate)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="white-spots.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "municipality_code",
                "municipality",
                "county",
                "population_2024",
                "rural",
                "sparsely_populated",
                "activities",
                "activities_per_10000",
            ]
        )
        for r in rows:
            writer.writerow(
                safe_row(
                    [
                        r.code,
                        r.name,
                        r.county_name,
                        r.population,
                        int(r.rural),
                        int(r.sparse),
                        r.activities,
                        f"{r.per_10k:.2f}",
                    ]
                )
            )
        return response
    params = request.GET.copy()
    params["format"] = "csv"
    return render(
        request,
        "mapping/white_spots.html",
        {
            "rows": rows,
            "filterset": filterset,
            "arena": arena,
            "arenas": Arena.choices,
            "max_rate": max_rate,
            "csv_query": params.urlencode(),
            "total_population": sum(r.population for r in rows),
        },
    )


@permission_required("activity.view")
def activity_list(request):
    filterset = ActivityFilterSet(request.GET)
    filters = filterset.selector_filters
    qs = selectors.activity_list(viewer=request.user, filters=filters)
    page = Paginator(qs.values(*ACTIVITY_LIST_COLUMNS), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "mapping/activity_list.html",
        {
            "page": page,
            "rows": _activity_rows(page),
            "filters": filters,
            "filterset": filterset,
            "query_without_page": params.urlencode(),
            **_filter_choices(),
        },
    )


@permission_required("activity.view")
def activity_detail(request, pk):
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    return render(
        request,
        "mapping/activity_detail.html",
        {
            "activity": activity,
            "phases": labels(Phase, activity.phases),
            "target_groups": labels(TargetGroup, activity.target_groups),
            "can_edit": has_permission(request.user, "activity.change")
            and can_change_owned(request.user, [activity.organisation_id]),
        },
    )


@permission_required("activity.view")
def search(request):
    q = request.GET.get("q", "").strip()[:100]
    results = search_module.search(viewer=request.user, q=q) if q else None
    return render(request, "mapping/search.html", {"q": q, "results": results})


@permission_required("activity.view")
def organisation_role_list(request):
    return render(
        request,
        "mapping/organisation_role_list.html",
        {"organisations": report_module.organisations_with_roles(viewer=request.user)},
    )


@permission_required("activity.view")
def organisation_role(request, pk):
    """The mapping report of one organisation (directory data: every role reads every one)."""
    report = report_module.organisation_role(viewer=request.user, pk=pk)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            report_module.role_report_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"role-{report.organisation.code}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, "mapping/organisation_role.html", {"report": report})


# --- editing by coordinators (directory data, not personal data) -------------------------------


def _activity_form_page(request, form, activity=None):
    return render(request, "mapping/activity_form.html", {"form": form, "activity": activity})


def _activity_saved(form, action) -> Activity | None:
    """Run a service; its validation errors go onto the form (None then)."""
    try:
        return action()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
        return None


@permission_required("activity.change")
def activity_create(request):
    allowed = editable_organisation_ids(request.user)
    if request.method == "POST":
        form = ActivityForm(request.POST, organisation_ids=allowed)
        if form.is_valid():
            activity = _activity_saved(
                form,
                lambda: services.activity_create(
                    actor=request.user, code=form.cleaned_data["code"], **form.activity_values()
                ),
            )
            if activity is not None:
                return redirect("mapping:activity", pk=activity.pk)
    else:
        initial = {}
        if allowed is not None and len(allowed) == 1:
            initial["organisation"] = next(iter(allowed))
        form = ActivityForm(organisation_ids=allowed, initial=initial)
    return _activity_form_page(request, form)


@permission_required("activity.change")
def activity_edit(request, pk):
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    if not can_change_owned(request.user, [activity.organisation_id]):
        raise Http404
    allowed = editable_organisation_ids(request.user)
    if request.method == "POST":
        form = ActivityForm(request.POST, instance=activity, organisation_ids=allowed)
        if form.is_valid() and _activity_saved(
            form,
            lambda: services.activity_update(
                actor=request.user, activity=activity, **form.activity_values()
            ),
        ):
            return redirect("mapping:activity", pk=activity.pk)
    else:
        form = ActivityForm(instance=activity, organisation_ids=allowed)
    return _activity_form_page(request, form, activity)
