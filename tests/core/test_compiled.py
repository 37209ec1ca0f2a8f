"""Reads compiled once (core.compiled): the same rows as the QuerySet, for any values."""

from __future__ import annotations

from uuid import UUID

import pytest
from django.contrib.auth import get_user_model

from emplus.core.compiled import CompiledRead

pytestmark = pytest.mark.django_db


def _named(username, joined):
    return get_user_model().objects.filter(username=username, date_joined__lt=joined)


def test_each_run_puts_its_own_values_where_the_stand_ins_were(coach, coordinator):
    read = CompiledRead(
        get_user_model(),
        _named,
        username=("username", "\x00stand-in"),
        joined=("date_joined", coach.date_joined.replace(year=1)),
    )
    later = coordinator.date_joined.replace(year=3000)
    assert [u.pk for u in read.raw(username=coach.username, joined=later)] == [coach.pk]
    assert [u.pk for u in read.raw(username=coordinator.username, joined=later)] == [coordinator.pk]
    assert list(read.raw(username=coach.username, joined=coach.date_joined)) == []
    assert list(read.raw(username="nobody", joined=later)) == []


def test_a_stand_in_found_twice_in_the_query_fails_to_compile(coach):
    read = CompiledRead(
        get_user_model(),
        lambda pk: get_user_model().objects.filter(pk=pk) | get_user_model().objects.filter(pk=pk),
        pk=("id", UUID(int=0)),
    )
    with pytest.raises(ValueError, match="too many values"):
        read.raw(pk=coach.pk)
