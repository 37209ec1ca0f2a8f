"""The kept progress frame (decision 55): after each kind of write only the summary rows
written since are read again, the result equals a read of every row, a frame that fails the
check against the table is read in full, and every scope's progression report equals one
computed from scratch."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from django.core.cache import caches
from polars.testing import assert_frame_equal
from tests.evidence.test_progression_cache import (
    CHANGES,
    _assess,
    _enrolment,
    _pages,
    _rounded,
    data,  # noqa: F401 - the fixture
    fresh,
    instrument,  # noqa: F401 - the fixture
)

from emplus.core.kept import KEPT_CACHE
from emplus.evidence import selectors
from emplus.evidence.selectors import IndicatorFilters
from emplus.pathways import kept_progress_frame as kept
from emplus.pathways import services
from emplus.pathways.models import (
    Assessment,
    AssessmentScore,
    Enrolment,
    EnrolmentProgress,
    Instrument,
    Participant,
)
from emplus.pathways.progress_summary import enrolment_progress_refresh

pytestmark = pytest.mark.django_db

COLUMNS = ["organisation", "entry_date", "method"]


@pytest.fixture
def reads(monkeypatch) -> list:
    """The `after` of every read of summary rows (None: every row)."""
    seen: list = []
    read = kept._read

    def counted(of, codes, *, after):
        seen.append(after)
        return read(of, codes, after=after)

    monkeypatch.setattr(kept, "_read", counted)
    return seen


def _instrument() -> Instrument:
    return Instrument.objects.get(code="AAA-KEPT")


def _frame() -> pl.DataFrame:
    return kept.partnership_progress(
        instrument=_instrument(), codes=["goal", "health"], columns=COLUMNS
    )


def _in_full() -> pl.DataFrame:
    caches[KEPT_CACHE].clear()
    return _frame()


def _refreshed(enrolment: Enrolment) -> None:
    """As a service that changes or deletes assessments must (decisions 39 and 44)."""
    active = _instrument()
    enrolment_progress_refresh(instrument=active, enrolments=[enrolment.pk])
    services.instrument_data_changed(instrument=active)


def _assessment_changed(actor) -> None:
    enrolment = _enrolment("K3")
    latest = Assessment.objects.filter(enrolment=enrolment).latest("assessed_on")
    AssessmentScore.objects.filter(assessment=latest).update(value=10)
    _refreshed(enrolment)


def _assessments_all_deleted(actor) -> None:
    enrolment = _enrolment("K6")
    Assessment.objects.filter(enrolment=enrolment).delete()
    _refreshed(enrolment)


def _enrolment_deleted(actor) -> None:
    _enrolment("K7").delete()


def _to_another_organisation(actor) -> None:  # as the administration does
    participant = Participant.objects.get(participant_ref="K5")
    other = Participant.objects.get(participant_ref="K9")
    participant.organisation, participant.unit = other.organisation, other.unit
    participant.save()


def _other_organisations_assessment(actor) -> None:
    _assess(actor, _enrolment("K9"), _instrument(), date(2025, 12, 1), 9, 1)


def _other_instrument(actor) -> None:
    """A summary row of another instrument: the frame's count of rows outside it moves."""
    other = Instrument.objects.create(
        code="AAA-OTHER", name_sv="Annan", name_en="Other", scale_min=1, scale_max=5
    )
    EnrolmentProgress.objects.create(
        enrolment=_enrolment("K1"),
        instrument=other,
        assessments=1,
        first_on=date(2025, 3, 1),
        latest_on=date(2025, 3, 1),
        first="1",
        latest="1",
    )


def _late_commit(actor) -> None:
    """A summary row whose key is below the largest kept (a transaction that took its key
    first and committed last): only the sum can tell."""
    row = EnrolmentProgress.objects.filter(enrolment=_enrolment("K2")).get()
    smallest = EnrolmentProgress.objects.order_by("pk").first()
    assert smallest is not None
    EnrolmentProgress.objects.filter(pk=row.pk).delete()
    row.pk, row.latest = smallest.pk - 1000, "9,9"
    row.save(force_insert=True)


WRITES = {
    **CHANGES,
    "assessment changed": _assessment_changed,
    "moved to another organisation": _to_another_organisation,
    "another organisation's assessment": _other_organisations_assessment,
}
# The writes that remove summary rows without a new one, or hide their key: the frame fails
# the check, every row is read again.
READ_IN_FULL = {
    "every assessment deleted": _assessments_all_deleted,
    "enrolment deleted": _enrolment_deleted,
    "another instrument": _other_instrument,
    "late commit": _late_commit,
}


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


@pytest.mark.usefixtures("data")
@pytest.mark.parametrize("change", [*WRITES, *READ_IN_FULL])
def test_after_a_write_the_kept_frame_equals_a_read_of_every_row(coach, reads, change):
    # given a kept frame
    before = _frame()
    reads.clear()
    # when the data changes and the frame is asked for again
    {**WRITES, **READ_IN_FULL}[change](coach)
    after = _frame()
    read = list(reads)
    # then it equals a read of every row, in the same order, having read only the new rows
    # when it can
    assert_frame_equal(after, _in_full())
    if change in READ_IN_FULL:
        assert read[-1] is None
    else:
        assert None not in read
        assert len(read) <= 1
    if change in {"new assessment", "assessment changed", "late commit", "new enrolment"}:
        assert not _sorted(after).equals(_sorted(before))


@pytest.mark.usefixtures("data")
def test_only_the_new_rows_are_read(coach, reads):
    # given a kept frame
    before = _frame()
    largest = EnrolmentProgress.objects.order_by("-pk").values_list("pk", flat=True).first()
    reads.clear()
    # when an assessment is recorded
    _assess(coach, _enrolment("K1"), _instrument(), date(2025, 11, 1), 10, 10)
    after = _frame()
    # then the rows above the largest key kept are read, the enrolment's row replaced
    assert reads == [largest]
    assert after.height == before.height
    assert after.filter(pl.col("latest:goal") == 10).height >= 1


@pytest.mark.usefixtures("data")
def test_unchanged_data_reads_no_row(reads):
    # given a kept frame
    first = _frame()
    reads.clear()
    # when it is asked for again with nothing written
    again = _frame()
    # then no row is read, and it is the same
    assert reads == []
    assert_frame_equal(again, first)


@pytest.mark.usefixtures("data")
def test_a_changed_dimension_reads_every_row(reads):
    # given a kept frame
    _frame()
    reads.clear()
    # when a dimension of the instrument changes
    dimension = _instrument().dimensions.get(code="goal")
    dimension.label_en = "Goals"
    dimension.save()
    _frame()
    # then every row is read again
    assert reads == [None]


def _requests() -> list[tuple[str, IndicatorFilters]]:
    whole = IndicatorFilters()  # whole organisations and blocks: from the kept frames
    return [(g, whole) for g in selectors.PROGRESSION_GROUPS] + [
        ("organisation", IndicatorFilters(entry_from=date(2025, 1, 1)))
    ]


@pytest.mark.usefixtures("data", "unit_a2", "unit_b1")
@pytest.mark.parametrize("change", [*WRITES, *READ_IN_FULL])
def test_after_a_write_every_scope_sees_its_own_report(
    coach, coordinator, other_org_coordinator, analyst, change
):
    # given the reports of both organisations and of the partnership, from the kept frames
    requests = _requests()
    for viewer in (coordinator, other_org_coordinator, analyst):
        _pages(viewer, requests)
    # when the data changes
    {**WRITES, **READ_IN_FULL}[change](coach)
    # then each viewer's reports equal those computed from scratch for them alone
    shown = {v.pk: _pages(v, requests) for v in (coordinator, other_org_coordinator, analyst)}
    for viewer in (coordinator, other_org_coordinator, analyst):
        assert _rounded(shown[viewer.pk]) == _rounded(fresh(viewer, requests))
    # and no organisation's groups reach the other's coordinator
    groups_b = {
        row["group"]
        for report in shown[other_org_coordinator.pk]
        if report["group_by"] == "organisation"
        for row in report["rows"]
    }
    assert "ORGA" not in groups_b


@pytest.mark.parametrize("group_by", selectors.PROGRESSION_GROUPS)
def test_the_reports_key_counts_what_the_summary_frame_is_checked_against(group_by):
    # given the tables the kept summary frame is checked against
    checked = set(kept.summary_tables())
    # when the progression report's key counts its tables
    counted = set(selectors.progression_tables(group_by))
    # then they are among them: the key's figures serve the check, counted once per view
    assert checked <= counted


@pytest.mark.usefixtures("data")
def test_a_row_written_after_the_figures_were_counted_is_not_kept(coach, reads):
    # given figures counted before any frame is kept
    counted = kept.tables_stats(kept.summary_tables())
    # when a summary row is written before every row is read with those figures
    _assess(coach, _enrolment("K1"), _instrument(), date(2025, 11, 1), 10, 10)
    frame = kept._summary(_instrument(), ["goal", "health"], using="default", stats=counted)
    # then the rows read are returned but not kept: the next read reads every row again,
    # with figures of its own, and keeps them
    assert frame.filter(pl.col("latest:goal") == 10).height >= 1
    reads.clear()
    assert_frame_equal(_frame(), _in_full())
    assert reads[0] is None
    reads.clear()
    _frame()
    assert reads == []
