"""The coach's pages for attested time: a unit's month, one participant's months, and one
month with its hours, its paper attestation and its attestation link."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from emplus.core import scoping
from emplus.core.pagination import KeysFirstPaginator
from emplus.core.permissions import permission_required
from emplus.selfservice import exporting, forms, offline, selectors, services
from emplus.selfservice import hours as hours_rules
from emplus.selfservice.choices import LinkPurpose, OfflineKind
from emplus.selfservice.views.common import (
    apply_errors,
    month_from_slug,
    month_slug,
    remember_token,
)

PAGE_SIZE = 50


def _default_month(today: date) -> date:
    # Time is attested after the month: the list opens on the month that just ended.
    return hours_rules.month_start(hours_rules.month_start(today) - timedelta(days=1))


def _overview_choice(request, permission: str) -> tuple:
    units = list(selectors.time_units(viewer=request.user, permission=permission))
    if not units:
        raise Http404
    wanted = request.GET.get("unit", "")
    unit = next((u for u in units if str(u.pk) == wanted), None)
    if wanted and unit is None:
        raise Http404
    today = timezone.localdate()
    month = month_from_slug(request.GET["month"]) if request.GET.get("month") else None
    month = month or _default_month(today)
    if month > hours_rules.month_start(today):
        month = hours_rules.month_start(today)
    return units, unit or units[0], month


def _shift(month: date, months: int) -> date:
    year, index = divmod(month.year * 12 + month.month - 1 + months, 12)
    return date(year, index + 1, 1)


@never_cache
@permission_required("time.view")
def overview(request):
    units, unit, month = _overview_choice(request, "time.view")
    participants = selectors.time_participants(viewer=request.user, unit=unit, month=month)
    # The counts come from the database, whatever the size of the unit; a page of participants
    # is read keys first, and rows are built for that page only.
    summary = selectors.time_summary(participants=participants, month=month)
    page = KeysFirstPaginator(participants, PAGE_SIZE, count=summary.participants).get_page(
        request.GET.get("page")
    )
    rows = selectors.time_rows(participants=list(page.object_list), month=month)
    selectors.time_rows_shown(viewer=request.user, unit=unit, month=month, rows=rows)
    today = timezone.localdate()
    return render(
        request,
        "selfservice/time_overview.html",
        {
            "units": units,
            "unit": unit,
            "month": month,
            "month_slug": month_slug(month),
            "previous_slug": month_slug(_shift(month, -1)),
            "next_slug": month_slug(_shift(month, 1))
            if _shift(month, 1) <= hours_rules.month_start(today)
            else "",
            "summary": summary,
            "page": page,
            "rows": rows,
            "can_export": scoping.allows(request.user, "time.export", unit),
        },
    )


@never_cache
@permission_required("time.export")
def export(request):
    _, unit, month = _overview_choice(request, "time.export")
    result = selectors.time_overview(
        viewer=request.user, unit=unit, month=month, permission="time.export"
    )
    content = exporting.time_overview_xlsx(result, actor=request.user)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="attested-time-{month_slug(month)}.xlsx"'
    )
    return response


@never_cache
@permission_required("time.view")
def participant_time(request, pk):
    participant = selectors.participant_for_selfservice(
        viewer=request.user, pk=pk, permission="time.view"
    )
    rows = selectors.participant_months(participant=participant, today=timezone.localdate())
    return render(
        request,
        "selfservice/participant_time.html",
        {"participant": participant, "rows": rows},
    )


def _month_row(participant, month: date):
    if month > hours_rules.month_start(timezone.localdate()):
        raise Http404
    row = selectors.participant_month(participant=participant, month=month)
    enrolled = participant.enrolments.filter(entry_date__lte=hours_rules.month_end(month)).exclude(
        exit_date__lt=month
    )
    if not enrolled.exists():
        raise Http404
    return row


def _month_page(
    request,
    participant,
    month,
    *,
    hours_form=None,
    paper_form=None,
    link_form=None,
    conflict=None,
    status=200,
):
    row = _month_row(participant, month)
    hours_form = hours_form or forms.HoursForm(initial={"hours": row.hours, "base": row.version})
    paper_form = paper_form or forms.PaperForm(initial={"base": row.version})
    link_form = link_form or forms.LinkCreateForm()
    attestations = list(row.monthly.attestations.all()) if row.monthly else []
    links = selectors.link_list(viewer=request.user, participant=participant).filter(
        purpose=LinkPurpose.ATTEST_TIME, month=month
    )
    return render(
        request,
        "selfservice/month.html",
        {
            "participant": participant,
            "month": month,
            "month_slug": month_slug(month),
            "row": row,
            "attestations": attestations,
            "links": links,
            "hours_form": hours_form,
            "paper_form": paper_form,
            "link_form": link_form,
            "conflict": conflict,
            "can_change": scoping.allows(request.user, "time.change", participant),
            "can_link": scoping.allows(request.user, "selfservice.link", participant),
            "base": row.version,
        },
        status=status,
    )


@never_cache
@permission_required("time.view")
def month_page(request, pk, month):
    participant = selectors.participant_for_selfservice(
        viewer=request.user, pk=pk, permission="time.view"
    )
    return _month_page(request, participant, month_from_slug(month))


def _keyed_submit(request, pk, month, *, form_class, kind, form_arg, done):
    """The hours and paper forms: saved through the same keyed path as the offline queue, so a
    double click or a resent form saves once; a conflict shows the current hours."""
    participant = selectors.participant_for_selfservice(
        viewer=request.user, pk=pk, permission="time.change"
    )
    month = month_from_slug(month)
    _month_row(participant, month)
    form = form_class(request.POST)
    if not form.is_valid():
        return _month_page(request, participant, month, status=422, **{form_arg: form})
    data = {
        name: (value.isoformat() if isinstance(value, date) else str(value))
        for name, value in form.cleaned_data.items()
        if name not in ("key", "base")
    }
    result = offline.offline_entry_submit(
        actor=request.user,
        key=form.cleaned_data["key"],
        kind=kind,
        target=offline.Target(participant=participant, month=month),
        data=data,
        base=str(form.cleaned_data["base"]),
    )
    if result.status_code in (200, 201):
        messages.success(request, done if result.status_code == 201 else _("Already saved."))
        return redirect("selfservice:month", pk=participant.pk, month=month_slug(month))
    if result.status_code == 409:
        return _month_page(request, participant, month, conflict=result.body["message"], status=409)
    for name, errors in result.body.get("errors", {}).items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
    return _month_page(request, participant, month, status=422, **{form_arg: form})


@require_POST
@permission_required("time.change")
def month_hours(request, pk, month):
    return _keyed_submit(
        request,
        pk,
        month,
        form_class=forms.HoursForm,
        kind=OfflineKind.TIME_HOURS,
        form_arg="hours_form",
        done=_("Hours saved."),
    )


@require_POST
@permission_required("time.change")
def month_paper(request, pk, month):
    return _keyed_submit(
        request,
        pk,
        month,
        form_class=forms.PaperForm,
        kind=OfflineKind.TIME_PAPER,
        form_arg="paper_form",
        done=_("Paper attestation recorded."),
    )


@require_POST
@permission_required("selfservice.link")
def month_link(request, pk, month):
    participant = selectors.participant_for_selfservice(
        viewer=request.user, pk=pk, permission="selfservice.link"
    )
    month = month_from_slug(month)
    _month_row(participant, month)
    form = forms.LinkCreateForm(request.POST)
    if form.is_valid():
        try:
            created = services.selfservice_link_create(
                actor=request.user,
                participant=participant,
                purpose=LinkPurpose.ATTEST_TIME,
                month=month,
                valid_days=form.cleaned_data["valid_days"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            remember_token(request.session, created.link.pk, created.token)
            messages.success(request, _("The link is ready: show the QR code or print it."))
            return redirect("selfservice:link_detail", link_pk=created.link.pk)
    return _month_page(request, participant, month, link_form=form, status=422)
