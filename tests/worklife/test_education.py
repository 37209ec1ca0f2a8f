"""Studies: recorded as train-phase steps, audited, scoped; completion rates by group with
suppression outside the organisations seen at full detail."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from emplus.core.models import AuditEvent
from emplus.core.roles import Role
from emplus.pathways import selectors as pathway_selectors
from emplus.pathways.models import PathwayStep
from emplus.worklife import selectors, services
from emplus.worklife.models import EducationEnrolment
from tests.conftest import make_user

from .conftest import make_participant

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 12, 1)


def _study(actor, participant, **values):
    return services.education_record(
        actor=actor,
        participant=participant,
        **{
            "provider_kind": "municipal_adult_education",
            "provider_name": "Komvux Umeå",
            "programme": "Svenska som andraspråk",
            "isced_level": 2,
            "started_on": date(2025, 2, 1),
            "planned_end": date(2025, 6, 15),
            **values,
        },
    )


def test_studies_are_a_train_step_in_the_timeline(coach, participant):
    education = _study(coach, participant)
    assert education.step.phase == "train"
    timeline = pathway_selectors.enrolment_timeline(enrolment=participant.enrolments.get())
    assert any("Komvux Umeå" in item.text for item in timeline)
    event = AuditEvent.objects.get(action="education.recorded")
    assert event.target_id == str(participant.pk)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"planned_end": date(2025, 1, 1)}, "planned_end"),
        ({"status": "interrupted", "ended_on": date(2025, 3, 1)}, "interruption_reason"),
        ({"status": "completed"}, "ended_on"),
        ({"qualification": "Betyg"}, "qualification"),
        ({"provider_kind": "circus"}, "provider_kind"),
        ({"started_on": date(2024, 1, 1)}, "started_on"),
    ],
)
def test_bad_studies_name_the_field_and_write_nothing(coach, participant, values, field):
    with pytest.raises(ValidationError) as raised:
        _study(coach, participant, **values)
    assert field in raised.value.message_dict
    assert not EducationEnrolment.objects.exists()
    assert not PathwayStep.objects.exists()


def test_update_completes_and_moves_the_step(coach, participant):
    education = _study(coach, participant)
    services.education_update(
        actor=coach,
        education=education,
        provider_kind="municipal_adult_education",
        provider_name="Komvux Umeå",
        programme="Svenska som andraspråk",
        started_on=date(2025, 2, 1),
        planned_end=date(2025, 6, 15),
        status="completed",
        ended_on=date(2025, 6, 10),
        qualification="Betyg i SVA grund",
    )
    education.refresh_from_db()
    assert education.step.ended_on == date(2025, 6, 10)
    assert AuditEvent.objects.filter(action="education.changed").count() == 1


def test_other_unit_and_organisation_reach_no_studies(
    coach, other_unit_coach, other_org_coach, participant
):
    education = _study(coach, participant)
    for outsider in (other_unit_coach, other_org_coach):
        with pytest.raises(Http404):
            selectors.education_for_change(viewer=outsider, pk=education.pk)
        assert not selectors.participant_education(viewer=outsider, participant=participant)
        with pytest.raises(PermissionDenied):
            _study(outsider, participant)


def _completion_set(coach, unit):
    """Hand-counted: 7 courses with their planned end passed (4 completed, 2 of them with a
    qualification; 2 interrupted; 1 still ongoing), and one not yet due."""
    specs = [
        ("completed", date(2025, 6, 10), "Betyg"),
        ("completed", date(2025, 6, 10), "Betyg"),
        ("completed", date(2025, 6, 10), ""),
        ("completed", date(2025, 6, 10), ""),
        ("interrupted", date(2025, 3, 1), ""),
        ("interrupted", date(2025, 3, 1), ""),
        ("ongoing", None, ""),
    ]
    for n, (status, ended_on, qualification) in enumerate(specs):
        participant = make_participant(coach, unit, ref=f"C{n}")
        _study(
            coach,
            participant,
            status=status,
            ended_on=ended_on,
            qualification=qualification,
            interruption_reason="Flyttade" if status == "interrupted" else "",
        )
    late = make_participant(coach, unit, ref="C-late")
    _study(coach, late, planned_end=date(2026, 6, 1))


def test_completion_rate_equals_hand_count(coach, coordinator, unit_a1):
    _completion_set(coach, unit_a1)
    [row] = selectors.completion_rates(viewer=coordinator, group_by="organisation", as_of=AS_OF)
    assert (row.due, row.completed, row.interrupted, row.overdue, row.with_qualification) == (
        7,
        4,
        2,
        1,
        2,
    )
    assert row.rate == pytest.approx(4 / 7)
    assert not row.suppressed


def test_completion_suppressed_outside_the_owning_organisation(coach, unit_a1, org_b):
    _completion_set(coach, unit_a1)
    analyst_b = make_user("analyst-b", org_b, Role.ANALYST)
    [row] = selectors.completion_rates(viewer=analyst_b, group_by="organisation", as_of=AS_OF)
    assert row.suppressed
    assert row.completed is None and row.interrupted is None and row.overdue is None
    assert row.with_qualification is None
    assert row.rate is None
    coordinator_b = make_user("coordinator-b2", org_b, Role.COORDINATOR)
    # a coordinator sees only their own organisation's records
    assert (
        selectors.completion_rates(viewer=coordinator_b, group_by="organisation", as_of=AS_OF) == []
    )


def test_pages(client, coach, coordinator, participant):
    education = _study(coach, participant)
    client.force_login(coach)
    for url in (
        reverse("worklife:participant_placements", args=[participant.pk]),
        reverse("worklife:education_new", args=[participant.pk]),
        reverse("worklife:education_edit", args=[education.pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("worklife:completion")).status_code == 403
    bad = client.post(
        reverse("worklife:education_edit", args=[education.pk]),
        {
            "provider_kind": "municipal_adult_education",
            "provider_name": "Komvux Umeå",
            "programme": "SVA",
            "started_on": "2025-02-01",
            "planned_end": "2025-06-15",
            "status": "interrupted",
            "ended_on": "2025-03-01",
        },
    )
    assert bad.status_code == 200
    assert "interruption_reason" in bad.context["form"].errors
    client.force_login(coordinator)
    page = client.get(reverse("worklife:completion") + "?group_by=method&as_of=2025-12-01")
    assert page.status_code == 200
    assert client.get(reverse("worklife:completion") + "?group_by=nonsense").status_code == 400
