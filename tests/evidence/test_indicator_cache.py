"""The kept indicator report (decision 45): found again only while nothing it reads changed,
and never across scopes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from django.core.cache import caches
from tests.evidence.test_indicator_pages import AS_OF, data  # noqa: F401 - the fixture

from emplus.core.kept import KEPT_CACHE
from emplus.evidence import selectors
from emplus.evidence.selectors import IndicatorFilters, indicator_report
from emplus.pathways import services
from emplus.pathways.models import Consent, Enrolment, FollowUp, Participant
from emplus.pathways.rights import participant_erase

pytestmark = pytest.mark.django_db

WHOLE = IndicatorFilters(as_of=AS_OF)  # whole organisations and blocks: special cells read
NARROW = IndicatorFilters(as_of=AS_OF, municipality="2480")  # no special cells


def fresh(viewer, filters: IndicatorFilters) -> dict:
    caches[KEPT_CACHE].clear()
    return indicator_report(viewer=viewer, filters=filters).to_dict()


def _ref(ref: str) -> Participant:
    return Participant.objects.get(participant_ref=ref)


def _exit(actor) -> None:
    enrolment = _ref("A-W3").enrolments.get()
    services.enrolment_exit(
        actor=actor, enrolment=enrolment, exit_date=date(2026, 3, 1), reason="job", employed=True
    )


def _follow_up(actor) -> None:
    follow_up = FollowUp.objects.get(enrolment__participant__participant_ref="A-W2")
    services.followup_record(
        actor=actor,
        follow_up=follow_up,
        observed_on=date(2026, 6, 20),
        employed=True,
        improved=True,
    )


def _register(actor) -> None:
    participant = _ref("A-W1")
    registration = services.participant_register(
        actor=actor,
        organisation=participant.organisation,
        unit=participant.unit,
        participant_ref="A-NEW",
        birth_date=date(1960, 1, 1),
        gender="man",
        municipality=participant.municipality,
        lm_status_entry="inactive",
        isced=5,
    )
    services.enrolment_start(
        actor=actor, participant=registration.participant, entry_date=date(2025, 4, 1)
    )


def _step(actor) -> None:
    services.step_record(
        actor=actor,
        enrolment=_ref("A-W1").enrolments.get(),
        phase="prepare",
        activity="CV",
        started_on=date(2025, 3, 1),
    )


def _withdraw(actor) -> None:
    consent = Consent.objects.filter(participant=_ref("A-W4")).latest("created_at")
    services.consent_withdraw(actor=actor, consent=consent)


def _move(actor) -> None:  # as the administration does: the unit of the record changes
    participant = _ref("A-W5")
    other = participant.organisation.units.exclude(pk=participant.unit_id).get()
    participant.unit = other
    participant.save()


def _delete_enrolment(actor) -> None:
    Enrolment.objects.filter(participant__participant_ref="A-M1").delete()


def _delete_follow_up(actor) -> None:  # as an import that removes an exit does
    FollowUp.objects.filter(enrolment__participant__participant_ref="A-W2").delete()


def _update(actor) -> None:
    services.participant_update(actor=actor, participant=_ref("A-W4"), isced=6)


def _erase(actor) -> None:
    participant_erase(actor=actor, participant=_ref("A-W4"))


CHANGES = {
    "new participant": _register,
    "new step": _step,
    "exit": _exit,
    "follow-up": _follow_up,
    "consent withdrawn": _withdraw,
    "moved to another unit": _move,
    "enrolment deleted": _delete_enrolment,
    "follow-up deleted": _delete_follow_up,
    "entry data changed": _update,
    "erased": _erase,
}
# The changes that move a number of the page (the others must leave it equal, and fresh).
MOVES_NUMBERS = {
    "new participant",
    "exit",
    "follow-up",
    "enrolment deleted",
    "follow-up deleted",
    "entry data changed",
}


@pytest.mark.usefixtures("data")
def test_a_kept_report_is_used_while_the_data_is_unchanged(coordinator, monkeypatch):
    # given a report computed once
    first = indicator_report(viewer=coordinator, filters=WHOLE)
    computed = []
    monkeypatch.setattr(
        selectors,
        "_indicator_report",
        lambda **kw: computed.append(kw) or pytest.fail("computed again"),
    )
    # when it is asked for again with nothing changed
    again = indicator_report(viewer=coordinator, filters=WHOLE)
    # then it comes from the cache, equal to the first
    assert computed == []
    assert again.to_dict() == first.to_dict()


@pytest.mark.usefixtures("data", "unit_a2")
@pytest.mark.parametrize("filters", [WHOLE, NARROW], ids=["whole", "narrow"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_to_what_the_report_reads_is_seen(coach, coordinator, filters, change):
    # given a kept report
    if change == "follow-up deleted":
        _follow_up(coach)  # an observed one, so that its removal moves the numbers
    before = indicator_report(viewer=coordinator, filters=filters).to_dict()
    # when the data changes through the usual ways
    CHANGES[change](coach)
    # then the page shows what a computation from scratch shows
    after = indicator_report(viewer=coordinator, filters=filters).to_dict()
    assert after == fresh(coordinator, filters)
    if change in MOVES_NUMBERS:
        assert after != before


@pytest.mark.usefixtures("data")
def test_a_move_to_another_unit_changes_the_units_report(coach, coordinator, unit_a1, unit_a2):
    # given the kept reports of both units
    one = IndicatorFilters(as_of=AS_OF, unit=unit_a1.pk)
    two = IndicatorFilters(as_of=AS_OF, unit=unit_a2.pk)
    before = [indicator_report(viewer=coordinator, filters=f).to_dict() for f in (one, two)]
    participant = _ref("A-W5")
    assert participant.unit == unit_a1
    # when a participant moves from one to the other
    _move(coach)
    # then both reports count them where they are now
    after = [indicator_report(viewer=coordinator, filters=f).to_dict() for f in (one, two)]
    total = [r["participants"]["read"] for r in (*before, *after)]
    assert total == [total[0], total[1], total[0] - 1, total[1] + 1]
    assert after == [fresh(coordinator, one), fresh(coordinator, two)]


@pytest.mark.usefixtures("data")
def test_a_kept_report_never_reaches_another_scope(coordinator, other_org_coordinator, analyst):
    # given the report of organisation A's coordinator kept in the cache
    own_a = indicator_report(viewer=coordinator, filters=WHOLE)
    # when the coordinator of B, and an analyst of the partnership, ask with the same filters
    own_b = indicator_report(viewer=other_org_coordinator, filters=WHOLE)
    partnership = indicator_report(viewer=analyst, filters=WHOLE)
    # then each sees their own scope, as computed for them alone
    assert own_a.organisations == ("ORGA",)
    assert own_b.organisations == ("ORGB",)
    assert own_a.result.participants != own_b.result.participants
    assert partnership.scope == selectors.SCOPE_PARTNERSHIP
    assert partnership.suppressed_below == 5
    assert own_b.to_dict() == fresh(other_org_coordinator, WHOLE)
    assert partnership.to_dict() == fresh(analyst, WHOLE)
    assert own_a.to_dict() == fresh(coordinator, WHOLE)


@pytest.mark.usefixtures("data")
def test_the_reporting_date_and_rules_are_part_of_the_request(coordinator):
    # given a kept report on one date
    early = indicator_report(viewer=coordinator, filters=IndicatorFilters(as_of=date(2025, 3, 1)))
    # when another date, or other rules, are asked for
    late = indicator_report(viewer=coordinator, filters=WHOLE)
    strict = indicator_report(
        viewer=coordinator,
        filters=WHOLE,
        rules=selectors.IndicatorRules(long_term_unemployed_months=24),
    )
    # then each is computed for its own
    assert early.result.participants.not_yet_started > 0
    assert late.result.participants.not_yet_started == 0
    assert strict.result.indicator("EECO03").total == 0
    assert late.result.indicator("EECO03").total > 0


@pytest.mark.usefixtures("data")
def test_other_municipality_groups_are_another_request(coordinator, monkeypatch):
    # given a kept report
    indicator_report(viewer=coordinator, filters=WHOLE)
    computed = []
    compute = selectors._indicator_report
    monkeypatch.setattr(
        selectors, "_indicator_report", lambda **kw: computed.append(1) or compute(**kw)
    )
    # when the packaged municipality groups change (a new release of the reference data)
    groups = dict(selectors.municipality_by_code())
    code = next(iter(groups))
    other = "C9" if groups[code].skr_group_2023 != "C9" else "A1"
    groups[code] = replace(groups[code], skr_group_2023=other)
    monkeypatch.setattr(selectors, "municipality_by_code", lambda: groups)
    indicator_report(viewer=coordinator, filters=WHOLE)
    # then the kept report is not used
    assert computed == [1]
