"""The methods library's writes (from the administration), audited in their transaction."""

from __future__ import annotations

import pytest

from emplus.methods import services
from emplus.methods.models import Method
from tests.audited import assert_audited_in_one_transaction

pytestmark = pytest.mark.django_db


def test_method_save_and_delete_are_audited_in_their_transaction(admin_user):
    event = assert_audited_in_one_transaction(
        lambda: services.method_save(
            actor=admin_user,
            method=Method(code="M-NEW", name="Ny metod", phases=["prepare"]),
            fields=["name", "code", "phases"],
        ),
        action="method.created",
        state=lambda: Method.objects.filter(code="M-NEW").count(),
    )
    assert event.details == {"code": "M-NEW", "fields": ["code", "name", "phases"]}
    method = Method.objects.get(code="M-NEW")
    method.name = "Omdöpt"
    services.method_save(actor=admin_user, method=method, fields=["name"])
    assert Method.objects.get(code="M-NEW").name == "Omdöpt"
    assert_audited_in_one_transaction(
        lambda: services.method_delete(actor=admin_user, method=Method.objects.get(code="M-NEW")),
        action="method.deleted",
        state=lambda: Method.objects.filter(code="M-NEW").count(),
    )
