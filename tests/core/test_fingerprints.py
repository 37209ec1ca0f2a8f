"""The figures of `core.fingerprints` that a kept frame is checked against (decision 51)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emplus.core.fingerprints import tables_stats
from emplus.organisations.models import Unit

pytestmark = pytest.mark.django_db


def test_the_sum_of_times_is_exact_in_microseconds_past_64_bits(org_a):
    # given more rows than a 64-bit sum of their times in microseconds holds (about 5 000)
    Unit.objects.bulk_create(
        Unit(organisation=org_a, name=f"U{i}", kind="branch", municipality_id="2480")
        for i in range(6_000)
    )
    # when the table's figures are read
    count, _latest, summed = tables_stats([(Unit, "updated_at")])[
        f"{Unit._meta.db_table}.updated_at"
    ]
    # then the sum is every time's whole microseconds since 1970, exactly
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    times = Unit.objects.values_list("updated_at", flat=True)
    expected = sum((t - epoch) // _MICROSECOND for t in times)
    assert count == Unit.objects.count()
    assert summed == expected


_MICROSECOND = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)
