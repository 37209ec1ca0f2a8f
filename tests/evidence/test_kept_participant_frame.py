"""The kept partnership frame (decision 51): after each kind of write only the changed rows
are read again, the result equals a read of every row, and a frame that fails the check
against the tables is read in full."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from django.core.cache import caches
from polars.testing import assert_frame_equal
from tests.evidence.test_indicator_cache import CHANGES, WHOLE, _ref, fresh
from tests.evidence.test_indicator_pages import data  # noqa: F401 - the fixture

from emplus.core.kept import KEPT_CACHE
from emplus.evidence import selectors
from emplus.evidence.selectors import indicator_report
from emplus.pathways import kept_participant_frame as kept
from emplus.pathways.models import Enrolment, Participant

pytestmark = pytest.mark.django_db

COLUMNS = list(selectors._INDICATOR_COLUMNS)


@pytest.fixture
def reads(monkeypatch) -> list:
    """The keys of every read of rows (None: every row), with no margin: the test's rows were
    all written within the margin, which would read them all again."""
    monkeypatch.setattr(kept, "MARGIN", timedelta(0))
    seen: list = []
    read = kept._read

    def counted(columns, *, keys, using):
        seen.append(keys)
        return read(columns, keys=keys, using=using)

    monkeypatch.setattr(kept, "_read", counted)
    return seen


def _in_full() -> pl.DataFrame:
    caches[KEPT_CACHE].clear()
    return kept.partnership_frame(columns=COLUMNS)


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def _to_another_organisation(actor) -> None:  # as the administration does
    participant = _ref("A-W5")
    participant.organisation = Participant.objects.get(participant_ref="B-W1").organisation
    participant.unit = Participant.objects.get(participant_ref="B-W1").unit
    participant.save()


def _late_commit(actor) -> None:
    """A write whose time is older than the kept frame's latest (a transaction that committed
    long after it wrote): only the sums can tell."""
    enrolment = _ref("A-W3").enrolments.get()
    Enrolment.objects.filter(pk=enrolment.pk).update(
        exit_date=date(2026, 3, 1),
        exit_employed=True,
        updated_at=enrolment.updated_at - timedelta(seconds=1),
    )


WRITES = {**CHANGES, "moved to another organisation": _to_another_organisation}
# The writes that remove rows, or hide their time: the frame fails the check, every row is
# read again.
READ_IN_FULL = {"enrolment deleted", "follow-up deleted", "late commit"}


@pytest.mark.usefixtures("data", "unit_a2")
@pytest.mark.parametrize("change", [*WRITES, "late commit"])
def test_after_a_write_the_kept_frame_equals_a_read_of_every_row(coach, reads, change):
    # given a kept frame
    before = kept.partnership_frame(columns=COLUMNS)
    reads.clear()
    # when the data changes and the frame is asked for again
    (WRITES.get(change) or _late_commit)(coach)
    after = kept.partnership_frame(columns=COLUMNS)
    read = list(reads)
    # then it equals a read of every row, having read only the changed ones when it can
    assert_frame_equal(_sorted(after), _sorted(_in_full()))
    if change in READ_IN_FULL:
        assert read[-1] is None
    else:
        assert None not in read
        assert len(read) <= 1 and all(len(keys) <= 2 for keys in read)
    if change == "late commit":
        assert not _sorted(after).equals(_sorted(before))


@pytest.mark.usefixtures("data", "unit_a2")
@pytest.mark.parametrize("change", list(WRITES))
def test_after_a_write_every_scope_sees_its_own_report(
    coach, coordinator, other_org_coordinator, analyst, reads, change
):
    # given the reports of both organisations and of the partnership, from one kept frame
    for viewer in (coordinator, other_org_coordinator, analyst):
        indicator_report(viewer=viewer, filters=WHOLE)
    # when the data changes
    WRITES[change](coach)
    # then each viewer's report equals one computed from scratch for them alone
    for viewer in (coordinator, other_org_coordinator, analyst):
        shown = indicator_report(viewer=viewer, filters=WHOLE).to_dict()
        assert shown == fresh(viewer, WHOLE)


@pytest.mark.usefixtures("data")
def test_unchanged_data_reads_no_row(reads):
    # given a kept frame
    first = kept.partnership_frame(columns=COLUMNS)
    reads.clear()
    # when it is asked for again with nothing written
    again = kept.partnership_frame(columns=COLUMNS)
    # then no row is read, and it is the same
    assert reads == []
    assert_frame_equal(_sorted(again), _sorted(first))


@pytest.mark.usefixtures("data")
def test_both_pages_and_every_request_share_one_frame(reads):
    # given the indicators' frame kept
    kept.partnership_frame(columns=COLUMNS)
    reads.clear()
    # when the progression page's columns are asked for, grouped by method (decision 74)
    progression = ["organisation", "entry_date", "method"]
    shared = kept.partnership_frame(columns=progression, with_enrolment=True)
    # then no row is read: they come from the same kept frame, equal to a read of them
    assert reads == []
    assert shared.columns == [*progression, "person", "enrolment"]
    caches[KEPT_CACHE].clear()
    assert_frame_equal(
        _sorted(shared), _sorted(kept.partnership_frame(columns=progression, with_enrolment=True))
    )
    reads.clear()
    # when a column outside the shared ones is asked for, it is another frame, read in full
    other = kept.partnership_frame(columns=[*COLUMNS, "participant_ref"])
    assert reads == [None]
    assert "participant_ref" in other.columns


def test_the_sum_of_times_is_exact_past_64_bits():
    # given 100 000 times in microseconds of 2026, whose sum is past 2**63
    times = pl.DataFrame({"at": [1_780_000_000_123_457] * 100_000})
    # when they are summed as the check sums them
    count, summed = kept._sum(times, "at")
    # then the sum is exact
    assert (count, summed) == (100_000, 1_780_000_000_123_457 * 100_000)


@pytest.mark.usefixtures("data")
def test_a_write_between_the_count_and_the_read_keeps_no_frame(coach, reads, monkeypatch):
    # given no kept frame, and a write that commits after the tables were counted and before
    # every row is read
    read = kept._read

    def written_first(columns, *, keys, using):
        if keys is None and not written:
            written.append(1)
            CHANGES["new participant"](coach)
        return read(columns, keys=keys, using=using)

    written: list = []
    monkeypatch.setattr(kept, "_read", written_first)
    # when the frame is read
    frame = kept.partnership_frame(columns=COLUMNS)
    # then it holds the new row, but is not kept: the next read reads every row again, with
    # figures of its own, and keeps that
    assert frame.height == Enrolment.objects.count()
    assert kept.frame_kept(kept._name(COLUMNS)) is None
    assert reads == [None]
    again = kept.partnership_frame(columns=COLUMNS)
    assert reads == [None, None]
    assert_frame_equal(_sorted(again), _sorted(frame))
    kept.partnership_frame(columns=COLUMNS)
    assert reads == [None, None]
