"""The caseload (searched by POST: names never in addresses) and the registration of a new
participant."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from emplus.core.choices import Phase
from emplus.core.pagination import KeysFirstPaginator
from emplus.core.permissions import permission_required
from emplus.core.reversing import reverser
from emplus.core.search_tokens import search_token_load, search_token_store
from emplus.pathways import forms, selectors, services
from emplus.pathways.filters import ParticipantFilterSet, ParticipantSearchFilterSet
from emplus.pathways.views.common import apply_errors

SEARCH_KIND = "caseload"
# Participants (and follow-ups due) on one page of the caseload.
PER_PAGE = 50
# The follow-ups due are counted up to this many; beyond it the page says "more than" (a count
# of every due follow-up of a large organisation reads each one's consent, decision 42).
FOLLOWUPS_COUNTED = 1000
# A search's matches are counted up to this many; beyond it the page lists the first of them
# by reference and asks for a narrower search (a common name matches thousands, and counting
# them all walked every one: decision 53).
SEARCH_COUNTED = 1000


def _search_query(request, filters: selectors.CaseloadFilters) -> str:
    """The page links of a posted search: the terms are kept on the server and the links carry
    only their token (never a name or an identity number: addresses end up in histories and
    access logs)."""
    if filters == selectors.CaseloadFilters():
        return ""
    token = search_token_store(
        user=request.user, kind=SEARCH_KIND, terms=dataclasses.asdict(filters)
    )
    return urlencode({"search": token})


def _filterset_of(request) -> ParticipantFilterSet:
    """The filters of a GET: a search token's terms, else the plain filters (which name nobody).
    A name given in the address itself is ignored."""
    token = request.GET.get("search", "")
    if not token:
        return ParticipantFilterSet(request.GET)
    terms = search_token_load(user=request.user, kind=SEARCH_KIND, token=token)
    if terms is None:
        messages.info(request, _("That search has expired. Search again."))
        return ParticipantFilterSet({})
    return ParticipantSearchFilterSet(terms)


def _page_number(request) -> int:
    """The page asked for, where it is a number from 1 (the paginator decides what any other
    value shows, and the keys found for this number are used only if it shows this page)."""
    try:
        return max(1, int(request.GET.get("page") or 1))
    except ValueError:
        return 1


def _narrowed(filters: selectors.CaseloadFilters, people: list[selectors.CaseloadRow]) -> list[str]:
    """The start page's filters in words, so that a list reached from it says what it holds."""
    words = []
    if filters.followup_overdue:
        words.append(_("follow-up overdue"))
    if filters.assessment_due:
        words.append(_("assessment due"))
    if filters.stalled:
        words.append(_("no new step for a long time"))
    if filters.core_data_missing:
        words.append(_("core data missing"))
    if filters.link_open:
        words.append(_("self-service link waiting"))
    if filters.attestation_waiting:
        words.append(_("time waiting for attestation"))
    if filters.recent:
        words.append(_("pathway recorded in the last week"))
    # The names come from the rows shown (already read), never from a lookup of their own.
    if filters.organisation:
        name = people[0].organisation_name if people else ""
        words.append(_("organisation %(name)s") % {"name": name} if name else _("one organisation"))
    if filters.unit:
        name = people[0].unit_name if people else ""
        words.append(_("local unit %(name)s") % {"name": name} if name else _("one local unit"))
    return words


@permission_required("participant.view")
@require_http_methods(["GET", "POST"])
def caseload(request):
    # A posted search is answered with its results, not redirected to them: one request, not
    # two (decision 63). Its page links carry a token of its terms.
    posted = request.method == "POST"
    filterset = ParticipantSearchFilterSet(request.POST) if posted else _filterset_of(request)
    # Invalid values are shown as errors next to the form and left out of the search.
    filters = filterset.selector_filters
    today = timezone.localdate()
    matching = selectors.participant_list(
        viewer=request.user,
        filters=filters,
        today=today,
        audit_shown=False,
        shown=selectors.CASELOAD_SHOWN,
    )
    assert isinstance(matching, QuerySet)  # noqa: S101 - audit_shown=False: a lazy list
    # A page at a time: its keys in order, then only its rows read and decrypted, however
    # large the caseload and however deep the page (decision 42).
    # The count from the database's kept counts where they answer (decision 50), with the marks
    # a deep page starts from (decision 77); a search's up to SEARCH_COUNTED (decision 53).
    kept = selectors.participant_pages_kept(matching, viewer=request.user, filters=filters)
    count = kept.count if kept else None
    search_more = False
    known_keys: dict[int, list[UUID]] = {}
    # A name search of the viewer's own organisations walks the name tokens, which hold the
    # list's order (decision 80).
    keys = None
    if count is None and filters.q:
        keys = selectors.participant_search_keys(viewer=request.user, filters=filters)
        # The count and, where it found every match, the page's keys: one statement (decision
        # 69).
        found = selectors.participant_search_found(
            matching,
            counted=SEARCH_COUNTED,
            number=_page_number(request),
            per_page=PER_PAGE,
            keys=keys,
        )
        if found.keys is not None:
            known_keys[found.number] = found.keys
        search_more = found.count > SEARCH_COUNTED
        count = min(found.count, SEARCH_COUNTED)
    # The rows as values of the columns shown, not participants (decision 63). A count cut at
    # SEARCH_COUNTED is not the list's: its pages are not counted from the end (decision 70).
    page = KeysFirstPaginator(
        matching,
        PER_PAGE,
        count=count,
        count_exact=not search_more,
        columns=selectors.CASELOAD_ROW_COLUMNS,
        known_keys=known_keys,
        marks=kept.marks if kept else None,
        keys=None if keys is None else keys.values("participant_id"),
    ).get_page(request.GET.get("page"))
    people = selectors.caseload_rows(page.object_list)
    # Kept while nothing it reads changes (decision 62).
    due, due_total = selectors.followups_due_kept(
        viewer=request.user, on=today, limit=PER_PAGE, counted=FOLLOWUPS_COUNTED
    )
    # The page names the caseload and the follow-ups due: one audit event for everyone on it.
    selectors.participants_shown(
        viewer=request.user,
        participants=[*people, *({"id": followup.participant_id} for followup in due)],
    )
    # Each label translated once a page, not once a row (they are lazy).
    phases = {value: str(label) for value, label in Phase.choices}
    # The links of the rows: one reverse() each, not one per row (core.reversing).
    detail_url = reverser("pathways:detail")
    followup_url = reverser("pathways:followup", 2)
    for person in people:
        person.phase_label = phases.get(person.current_phase or "", "")
        person.detail_url = detail_url(person.pk)
    for followup in due:
        followup.detail_url = detail_url(followup.participant_id)
        followup.record_url = followup_url(followup.participant_id, followup.enrolment_id)
    if posted:
        # Kept only when there is another page to link to.
        query = _search_query(request, filters) if page.has_other_pages() else ""
    else:
        params = request.GET.copy()
        params.pop("page", None)
        query = params.urlencode()
    return render(
        request,
        "pathways/caseload.html",
        {
            "people": people,
            "page": page,
            "query_without_page": query,
            "followups_due_count": min(due_total, FOLLOWUPS_COUNTED),
            "followups_due_more": due_total > FOLLOWUPS_COUNTED,
            "search_more": search_more,
            "filters": filters,
            "narrowed": _narrowed(filters, people),
            "filterset": filterset,
            "phases": Phase.choices,
            "followups_due": due,
            "can_register": forms.registration_units(request.user).exists(),
        },
    )


@permission_required("participant.change")
def register(request):
    form = forms.RegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = data["unit"]
        try:
            registration = services.participant_enrol(
                actor=request.user,
                unit=unit,
                participant_ref=data["participant_ref"],
                personal_id=data["personal_id"] or None,
                special_category_basis=form.special_category_basis,
                consent=form.consent_terms(),
                entry_date=data["entry_date"],
                **form.participant_values(),
            )
            participant = registration.participant
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Participant %(ref)s registered.") % {"ref": participant.participant_ref},
            )
            return redirect("pathways:detail", pk=participant.pk)
    return render(request, "pathways/register.html", {"form": form})
