"""Reads compiled once (core.compiled): the same rows as the QuerySet, for any values."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from django.contrib.auth import get_user_model
from django.db.models.functions import Upper
from django.utils import timezone

from emplus.core.compiled import CompiledInsert, CompiledRead
from emplus.core.models import AuditEvent

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


def test_first_makes_the_instance_the_queryset_makes(coach, coordinator):
    # given a read of one user by key, with an annotation (decision 72)
    users = get_user_model().objects
    read = CompiledRead(
        get_user_model(),
        lambda pk: users.annotate(shown=Upper("username")).filter(pk=pk),
        pk=("id", UUID(int=0)),
    )
    for user in (coach, coordinator):
        # when
        made = read.first(pk=user.pk)
        # then every column as the QuerySet converts it (keys, times, flags), and the annotation
        expected = users.annotate(shown=Upper("username")).get(pk=user.pk)
        for field in get_user_model()._meta.concrete_fields:
            value = getattr(made, field.attname)
            assert value == getattr(expected, field.attname), field.name
            assert type(value) is type(getattr(expected, field.attname)), field.name
        assert made.shown == user.username.upper()
        assert (made._state.db, made._state.adding) == ("default", False)
    assert read.first(pk=uuid4()) is None


def test_an_insert_compiled_once_writes_what_save_writes(coach):
    # given two events, one saved by the model, one by the compiled insert
    insert = CompiledInsert(AuditEvent)

    def event(sequence: int) -> AuditEvent:
        return AuditEvent(
            lane=7,
            sequence=sequence,
            occurred_at=timezone.now(),
            actor_id=coach.pk,
            actor_username=coach.username,
            organisation_id=None,
            action="test.compiled",
            details={"participants": ["a", "b"], "n": 2, "ä": None},
            prev_hash="0" * 64,
            hash="f" * 64,
            key_id="k",
        )

    saved, inserted, again = event(1), event(2), event(3)
    saved.save(force_insert=True)  # with an argument: Django's own save
    # when (twice: the second run uses the SQL compiled by the first)
    insert.insert(inserted, "default")
    insert.insert(again, "default")
    # then the database gives back the same values, and the instance counts as saved
    fields = [f.attname for f in AuditEvent._meta.concrete_fields]
    rows = {e.sequence: e for e in AuditEvent.objects.filter(lane=7)}
    for made in (inserted, again):
        back = rows[made.sequence]
        assert {f: getattr(back, f) for f in fields} == {f: getattr(made, f) for f in fields}
        assert {f: getattr(back, f) for f in fields if f not in ("id", "sequence")} == {
            f: getattr(rows[1], f) for f in fields if f not in ("id", "sequence")
        } | {"occurred_at": made.occurred_at}
        assert (made._state.db, made._state.adding) == ("default", False)
