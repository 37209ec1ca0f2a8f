"""Reads of the innovation pipeline (not personal data: every role reads every idea): the board
by stage, the filtered list, one idea with its history and linked results, and the
innovation strategy of an organisation."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from emplus.core.scoping import allows, organisation_ids_with
from emplus.core.typing import User
from emplus.evidence.models import EffectEstimate
from emplus.evidence.selectors import effect_estimate_list
from emplus.geo.models import County
from emplus.innovation.choices import Stage
from emplus.innovation.models import Idea, StageCriterion, StrategyGoal
from emplus.methods.models import MethodVersion, ThematicArea
from emplus.organisations.models import Organisation
from emplus.testbeds.models import TestBed

BOARD_LIMIT = 50  # ideas per column of the board; the list pages through all of them


@dataclass(frozen=True)
class IdeaFilters:
    stage: str = ""
    thematic_area: str = ""
    organisation: str = ""
    q: str = ""


def idea_list(*, viewer: User, filters: IdeaFilters | None = None) -> QuerySet[Idea]:
    filters = filters or IdeaFilters()
    qs = Idea.objects.select_related("organisation", "thematic_area", "test_bed")
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.thematic_area:
        qs = qs.filter(thematic_area__code=filters.thematic_area)
    if filters.organisation:
        qs = qs.filter(organisation__code=filters.organisation)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(problem__icontains=filters.q))
    return qs.annotate(adoption_count=Count("adoptions")).order_by("-updated_at", "pk")


def idea_board(*, viewer: User) -> list[tuple[Stage, list[Idea], int]]:
    """Each stage with its most recently changed ideas (at most BOARD_LIMIT) and its count."""
    counts = dict(Idea.objects.values_list("stage").annotate(n=Count("pk")).order_by())
    columns = []
    for stage in Stage:
        ideas = list(
            Idea.objects.filter(stage=stage)
            .select_related("organisation")
            .order_by("-updated_at", "pk")[:BOARD_LIMIT]
        )
        columns.append((stage, ideas, counts.get(stage.value, 0)))
    return columns


def idea_get(*, viewer: User, pk: UUID) -> Idea:
    return get_object_or_404(
        Idea.objects.select_related(
            "organisation",
            "thematic_area",
            "method_version__method",
            "test_bed",
            "effect_estimate",
        ).prefetch_related(
            "moves__criteria", "moves__decided_by", "adoptions__organisation", "adoptions__county"
        ),
        pk=pk,
    )


def idea_can_change(*, viewer: User, idea: Idea) -> bool:
    return allows(viewer, "innovation.change", idea)


def idea_estimate_visible(*, viewer: User, idea: Idea) -> bool:
    """Whether the viewer may open the idea's linked effect estimate (evidence's own rule)."""
    return (
        idea.effect_estimate_id is not None
        and effect_estimate_list(viewer=viewer).filter(pk=idea.effect_estimate_id).exists()
    )


def idea_organisations(*, viewer: User) -> QuerySet[Organisation]:
    """The organisations for which the viewer registers ideas and strategy goals."""
    return Organisation.objects.filter(pk__in=organisation_ids_with(viewer, "innovation.change"))


def criteria_of(*, stage: str) -> QuerySet[StageCriterion]:
    return StageCriterion.objects.filter(stage=stage).order_by("order", "code")


def strategy(
    *, viewer: User, organisation_pk: UUID
) -> tuple[Organisation, QuerySet[StrategyGoal], list[tuple[Stage, list[Idea]]]]:
    """An organisation's innovation strategy: its goals and its portfolio by stage."""
    organisation = get_object_or_404(Organisation, pk=organisation_pk)
    goals = StrategyGoal.objects.filter(organisation=organisation).select_related("thematic_area")
    ideas = list(
        Idea.objects.filter(organisation=organisation)
        .select_related("thematic_area")
        .order_by("title")
    )
    portfolio = [(stage, [i for i in ideas if i.stage == stage]) for stage in Stage]
    return organisation, goals, portfolio


# --- options of the forms (reference data, and what the viewer may link) ---------------------


def thematic_area_options() -> QuerySet[ThematicArea]:
    return ThematicArea.objects.order_by("order", "code")


def method_version_options() -> QuerySet[MethodVersion]:
    return MethodVersion.objects.select_related("method").order_by("method__name", "version")


def test_bed_options() -> QuerySet[TestBed]:
    return TestBed.objects.order_by("name")


def estimate_options(*, viewer: User) -> QuerySet[EffectEstimate]:
    return effect_estimate_list(viewer=viewer)


def organisation_options() -> QuerySet[Organisation]:
    return Organisation.objects.order_by("name")


def county_options() -> QuerySet[County]:
    return County.objects.order_by("code")
