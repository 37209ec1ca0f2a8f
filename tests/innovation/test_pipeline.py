"""The innovation pipeline: every move records who decided, when and against which criteria,
and is refused with a clear message when its stage's facts or criteria are missing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from emplus.core.models import AuditEvent
from emplus.geo.models import County
from emplus.innovation import services
from emplus.innovation.models import StageCriterion
from emplus.innovation.reference import CRITERIA

pytestmark = pytest.mark.django_db
DAY = date(2025, 6, 1)


def _move(actor, idea, stage, criteria, **facts):
    return services.idea_move(
        actor=actor,
        idea=idea,
        to_stage=stage,
        decided_on=DAY,
        criteria=criteria[stage],
        facts=facts,
    )


def test_load_reference_data_seeds_the_criteria(geo):
    call_command("load_reference_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert StageCriterion.objects.count() == len(CRITERIA)


def test_moved_to_tested_without_a_test_bed_is_refused(idea, criteria, coordinator, version):
    _move(coordinator, idea, "designed", criteria, method_version=version)
    with pytest.raises(ValidationError) as error:
        _move(coordinator, idea, "tested", criteria, test_start=DAY, test_end=DAY)
    assert set(error.value.error_dict) == {"test_bed"}
    idea.refresh_from_db()
    assert idea.stage == "designed"


def test_moved_to_tested_without_a_period_is_refused(idea, criteria, coordinator, version, bed):
    _move(coordinator, idea, "designed", criteria, method_version=version)
    with pytest.raises(ValidationError) as error:
        _move(coordinator, idea, "tested", criteria, test_bed=bed)
    assert set(error.value.error_dict) == {"test_start", "test_end"}


def test_a_move_needs_every_criterion_of_its_stage(idea, criteria, coordinator, version):
    with pytest.raises(ValidationError) as error:
        services.idea_move(
            actor=coordinator,
            idea=idea,
            to_stage="designed",
            decided_on=DAY,
            criteria=criteria["designed"][:1],
            facts={"method_version": version},
        )
    assert "criteria" in error.value.error_dict


def test_a_stage_cannot_be_skipped(idea, criteria, coordinator, bed):
    with pytest.raises(ValidationError):
        _move(coordinator, idea, "tested", criteria, test_bed=bed, test_start=DAY, test_end=DAY)


def test_the_whole_pipeline_to_scaled_in_two_regions(
    idea, criteria, coordinator, version, bed, org_b
):
    _move(coordinator, idea, "designed", criteria, method_version=version)
    _move(coordinator, idea, "tested", criteria, test_bed=bed, test_start=DAY, test_end=DAY)
    _move(coordinator, idea, "evaluated", criteria, evidence_level=2, evidence_reason="Före/efter")
    with pytest.raises(ValidationError) as no_adoption:
        _move(coordinator, idea, "scaled", criteria)
    assert "__all__" in no_adoption.value.error_dict
    for code in ("01", "24"):
        services.adoption_add(
            actor=coordinator,
            idea=idea,
            organisation=org_b if code == "01" else None,
            county=County.objects.get(code=code),
            adopted_on=DAY,
        )
    move = _move(coordinator, idea, "scaled", criteria)
    idea.refresh_from_db()
    assert idea.stage == "scaled"
    assert move.decided_by == coordinator and move.decided_on == DAY
    assert set(move.criteria.all()) == set(criteria["scaled"])
    assert [m.to_stage for m in idea.moves.all()] == ["designed", "tested", "evaluated", "scaled"]
    assert AuditEvent.objects.filter(action="idea.moved").count() == 4
    assert idea.adoptions.count() == 2


def test_the_originator_does_not_adopt_its_own_idea(
    idea, criteria, coordinator, version, bed, org_a
):
    _move(coordinator, idea, "designed", criteria, method_version=version)
    _move(coordinator, idea, "tested", criteria, test_bed=bed, test_start=DAY, test_end=DAY)
    _move(coordinator, idea, "evaluated", criteria, evidence_level=1, evidence_reason="Uppföljt")
    with pytest.raises(ValidationError):
        services.adoption_add(
            actor=coordinator, idea=idea, organisation=org_a, county=None, adopted_on=DAY
        )


def test_stopping_needs_what_was_learned(idea, criteria, coordinator):
    with pytest.raises(ValidationError) as error:
        _move(coordinator, idea, "stopped", criteria)
    assert "lessons" in error.value.error_dict
    _move(coordinator, idea, "stopped", criteria, lessons="Fel målgrupp.")
    idea.refresh_from_db()
    assert idea.stage == "stopped" and idea.lessons == "Fel målgrupp."


def test_another_organisation_cannot_move_the_idea(idea, criteria, other_org_coordinator, version):
    with pytest.raises(PermissionDenied):
        _move(other_org_coordinator, idea, "designed", criteria, method_version=version)


def test_coach_cannot_register_ideas(criteria, coach, org_a):
    with pytest.raises(PermissionDenied):
        services.idea_create(
            actor=coach,
            organisation=org_a,
            title="x",
            problem="x",
            proposed_solution="x",
            target_group="x",
            thematic_area=None,
        )
