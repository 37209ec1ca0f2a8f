"""The evidence reports under the load test's traffic (decision 65): log-ins, searches, opened
participant pages and their audit events write no data a report reads, so no report is
computed again, however full the default cache gets; a change of a participant's data is
seen at the next view, computed once."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import caches
from django.test import Client
from tests.evidence.test_progression_cache import (  # noqa: F401 - the fixtures
    _assess,
    _enrolment,
    data,
    instrument,
)
from tests.factories import PASSWORD

from emplus.core.kept import KEPT_CACHE
from emplus.core.models import AuditEvent
from emplus.evidence import selectors
from emplus.pathways import services
from emplus.pathways.models import Instrument, Participant

pytestmark = pytest.mark.django_db

PAGES = ("/evidence/indicators/", "/evidence/progression/")


@pytest.fixture
def computed(monkeypatch) -> list[str]:
    """The names of the reports computed, in order."""
    found: list[str] = []
    for name in ("_indicator_report", "_progression_report"):
        compute = getattr(selectors, name)

        def counting(_compute=compute, _name=name, **kwargs):
            found.append(_name)
            return _compute(**kwargs)

        monkeypatch.setattr(selectors, name, counting)
    return found


@pytest.fixture
def small_default_cache(settings, tmp_path):
    """The default cache as a busy server's: past its number of entries at once, so that each
    new entry makes it delete a third of them at random."""
    default = {**settings.CACHES["default"], "LOCATION": str(tmp_path / "default")}
    settings.CACHES = {**settings.CACHES, "default": {**default, "OPTIONS": {"MAX_ENTRIES": 10}}}


def _reports(viewers: dict[str, Client]) -> dict[tuple[str, str], dict]:
    """Each viewer's view of each page: its report."""
    shown = {}
    for name, client in viewers.items():
        for page in PAGES:
            response = client.get(page)
            assert response.status_code == 200
            report = response.context["report"]
            shown[(name, page)] = (
                report.to_dict() if hasattr(report, "to_dict") else repr(report.rows)
            )
    return shown


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.usefixtures("data", "small_default_cache")
def test_the_load_tests_own_writes_compute_no_report_again(
    coordinator, analyst, other_org_coordinator, coach, computed
):
    # given each scope's reports computed once
    viewers = {
        "coordinator": _logged_in(coordinator),
        "analyst": _logged_in(analyst),
        "other organisation": _logged_in(other_org_coordinator),
    }
    before = _reports(viewers)
    assert len(computed) == 2 * len(viewers)
    computed.clear()
    events = AuditEvent.objects.count()
    # when the load test's traffic writes what it writes: log-ins (sessions, last log-in),
    # searches (a token each in the default cache), opened participant pages (audit events)
    browsing = Client()
    for round_ in range(30):
        response = browsing.post(
            "/accounts/login/", {"username": coach.username, "password": PASSWORD}
        )
        assert response.status_code == 302
        response = browsing.post("/participants/", {"q": f"K{round_ % 10}"})
        assert response.status_code == 200  # answered, its page links a token (decision 63)
        participant = Participant.objects.get(participant_ref=f"K{round_ % 6}")  # unit A1
        assert browsing.get(f"/participants/{participant.pk}/").status_code == 200
    assert AuditEvent.objects.count() > events
    # then every report is still the kept one
    assert _reports(viewers) == before
    assert computed == []


@pytest.mark.usefixtures("data", "small_default_cache")
def test_a_change_of_a_participants_data_is_seen_at_the_next_view(
    coordinator, other_org_coordinator, coach, computed
):
    # given both pages kept for the coordinators of both organisations
    own, other = _logged_in(coordinator), _logged_in(other_org_coordinator)
    before = _reports({"own": own, "other": other})
    computed.clear()
    # when a coach of the coordinator's organisation records an assessment and an exit
    active = Instrument.objects.get(code="AAA-KEPT")
    _assess(coach, _enrolment("K1"), active, date(2025, 11, 1), 10, 10)
    services.enrolment_exit(
        actor=coach,
        enrolment=_enrolment("K2"),
        exit_date=date(2025, 12, 1),
        reason="job",
        employed=True,
    )
    # then each report is computed again once, as a computation from scratch computes it
    after = _reports({"own": own, "other": other})
    assert sorted(computed) == sorted(["_indicator_report", "_progression_report"] * 2)
    assert _reports({"own": own, "other": other}) == after
    assert len(computed) == 4
    caches[KEPT_CACHE].clear()
    assert _reports({"own": own, "other": other}) == after
    # and the assessment moved the coordinator's progression (the participants of these
    # factories lack core data, so no indicator counts the exit: test_indicator_cache's do)
    assert after[("own", PAGES[1])] != before[("own", PAGES[1])]
    # while the other organisation's coordinator sees none of it
    assert after[("other", PAGES[0])]["organisations"] == ["ORGB"]
    assert after[("other", PAGES[0])] == before[("other", PAGES[0])]
    assert after[("other", PAGES[1])] == before[("other", PAGES[1])]
