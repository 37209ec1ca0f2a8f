"""Starting an effect estimate: stored with its inputs, audited in its transaction, queued only
once committed."""

from __future__ import annotations

import pytest
from tests.audited import assert_audited_in_one_transaction

from emplus.evidence import services
from emplus.evidence.models import EffectEstimate

pytestmark = pytest.mark.django_db

GROUP = {"organisation": "ORGA", "method": "", "county": "", "test_bed": ""}


def _start(actor, **overrides):
    values = {
        "treatment": GROUP,
        "comparison_kind": "group",
        "comparison": {**GROUP, "organisation": ""},
        "comparison_rows": [],
        "outcome": "exit_employed",
        "covariates": ["isced", "age_at_entry"],
        "method": "ipw",
        "seed": 7,
    }
    return services.effect_estimate_start(actor=actor, **(values | overrides))


def test_effect_estimate_start_is_audited_in_its_transaction(analyst, org_a):
    event = assert_audited_in_one_transaction(
        lambda: _start(analyst),
        action="effect_estimate.started",
        state=lambda: EffectEstimate.objects.count(),
    )
    estimate = EffectEstimate.objects.get()
    assert estimate.organisation == org_a and estimate.created_by == analyst
    assert event.target_id == str(estimate.pk) and event.purpose == "evaluation"


def test_the_task_is_queued_only_after_the_commit(
    analyst, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []

    class Task:
        enqueue = staticmethod(queued.append)

    monkeypatch.setattr(services, "run_effect_estimate", Task)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        estimate = _start(analyst)
        assert queued == []
    assert len(callbacks) == 1 and queued == [str(estimate.pk)]


def test_an_unknown_method_is_refused_and_nothing_stored(analyst):
    with pytest.raises(Exception, match="method"):
        _start(analyst, method="magic")
    assert not EffectEstimate.objects.exists()


def test_a_file_comparison_keeps_its_rows_and_no_group(analyst):
    rows = [{"exit_employed": True, "isced": 3, "age_at_entry": 30}]
    estimate = _start(analyst, comparison_kind="file", comparison_rows=rows)
    assert estimate.comparison == {} and estimate.comparison_rows == rows
