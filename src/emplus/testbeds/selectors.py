"""Reads of regional test beds (not personal data: every role reads them) and their results,
aggregated and suppressed."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from emplus.core.typing import User
from emplus.evidence.selectors import effect_estimate_list
from emplus.methods.selectors import Outcomes, enrolment_outcomes
from emplus.testbeds.models import TestBed


def test_bed_list(*, viewer: User) -> QuerySet[TestBed]:
    return (
        TestBed.objects.select_related("county", "lead_organisation")
        .annotate(method_count=Count("methods", distinct=True))
        .order_by("name")
    )


def test_bed_get(*, viewer: User, code: str) -> TestBed:
    return get_object_or_404(
        TestBed.objects.select_related("county", "lead_organisation").prefetch_related(
            "partners", "municipalities", "methods", "thematic_areas", "goals", "learning_log"
        ),
        code=code,
    )


def test_bed_outcomes(*, viewer: User, test_bed: TestBed) -> Outcomes:
    return enrolment_outcomes(test_bed.enrolments.all())


def test_bed_estimates(*, viewer: User, test_bed: TestBed) -> QuerySet:
    """Effect estimates whose treated group is the test bed, among those the viewer may see
    (the evidence module's rule: their own and their own organisations')."""
    return (
        effect_estimate_list(viewer=viewer)
        .filter(treatment__test_bed=test_bed.code)
        .order_by("-created_at")
    )
