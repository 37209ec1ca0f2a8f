"""A user of the default database sees no warnings on every `emplus migrate`: the system
checks with the database included report nothing (the INCLUDE columns SQLite leaves out are
intended, decision 80)."""

from __future__ import annotations

import pytest
from django.core import checks


@pytest.mark.django_db
def test_the_checks_with_the_database_report_nothing():
    found = checks.run_checks(databases=["default"], include_deployment_checks=False)
    assert [f"{m.id}: {m.obj}" for m in found if not m.is_silenced()] == []
