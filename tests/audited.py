"""A check for services: the change and its audit event commit together or not at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from emplus.core.models import AuditEvent


class _Rollback(Exception):
    pass


def assert_audited_in_one_transaction(
    call: Callable[[], Any], *, action: str, state: Callable[[], Any]
) -> Any:
    """Run `call` (a service) three times over and check that it writes with its audit event:

    1. inside an outer transaction that is rolled back: neither the change nor the event stays;
    2. with the audit write failing: the service raises and the change is not there either;
    3. for real: the change is there with exactly one new `action` event, which is returned.

    `state` snapshots what the service changes (e.g. a count, or a row's values)."""
    before, events = state(), AuditEvent.objects.filter(action=action).count()

    # 1. rolled back together
    with pytest.raises(_Rollback), transaction.atomic():
        call()
        assert state() != before, "the service changed nothing"
        assert AuditEvent.objects.filter(action=action).count() == events + 1
        raise _Rollback
    assert state() == before
    assert AuditEvent.objects.filter(action=action).count() == events

    # 2. no change without its audit event
    def failing_save(self, *args, **kwargs):
        raise RuntimeError("audit store unavailable")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AuditEvent, "save", failing_save)
        with pytest.raises(RuntimeError, match="audit store unavailable"):
            call()
    assert state() == before

    # 3. for real
    call()
    assert state() != before
    new = AuditEvent.objects.filter(action=action).order_by("-sequence")
    assert new.count() == events + 1
    return new.first()
