"""Writes of the innovation pipeline: ideas, their moves between stages (refused with a clear
message when the stage's facts or criteria are missing), adoptions and strategy goals; each
one transaction with its audit entry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from emplus.core.audit import audit_log
from emplus.core.scoping import organisation_ids_with
from emplus.core.typing import User
from emplus.geo.models import County
from emplus.innovation.choices import Stage, allowed_moves
from emplus.innovation.models import Adoption, Idea, StageCriterion, StageMove, StrategyGoal
from emplus.innovation.reference import CRITERIA
from emplus.methods.models import ThematicArea
from emplus.organisations.models import Organisation

PURPOSE = "innovation"

# The facts a move into each stage must name (fields of Idea); "scaled" needs an adoption.
REQUIRED_FACTS: dict[str, tuple[str, ...]] = {
    Stage.DESIGNED: ("method_version",),
    Stage.TESTED: ("test_bed", "test_start", "test_end"),
    Stage.EVALUATED: ("evidence_level", "evidence_reason"),
    Stage.SCALED: (),
    Stage.STOPPED: ("lessons",),
}
OPTIONAL_FACTS: dict[str, tuple[str, ...]] = {Stage.EVALUATED: ("effect_estimate",)}


def _require(actor: User, organisation_id: Any) -> None:
    if organisation_id not in organisation_ids_with(actor, "innovation.change"):
        raise PermissionDenied(_("Only the originator organisation moves its ideas."))


def stage_criteria_load() -> int:
    """Create the missing criteria of the seed (idempotent; edited texts are kept)."""
    created = 0
    with transaction.atomic():
        for order, (code, stage, text_sv, text_en) in enumerate(CRITERIA, start=1):
            _criterion, was_created = StageCriterion.objects.get_or_create(
                code=code,
                defaults={"stage": stage, "text_sv": text_sv, "text_en": text_en, "order": order},
            )
            created += was_created
        if created:
            audit_log(
                actor=None,
                action="stage_criteria.loaded",
                purpose=PURPOSE,
                details={"created": created},
            )
    return created


@transaction.atomic
def idea_create(
    *,
    actor: User,
    organisation: Organisation,
    title: str,
    problem: str,
    proposed_solution: str,
    target_group: str,
    thematic_area: ThematicArea,
) -> Idea:
    """A new idea at the first stage, by its originator organisation."""
    _require(actor, organisation.pk)
    idea = Idea(
        organisation=organisation,
        title=title,
        problem=problem,
        proposed_solution=proposed_solution,
        target_group=target_group,
        thematic_area=thematic_area,
        created_by=actor,
    )
    idea.full_clean()
    idea.save()
    audit_log(
        actor=actor, action="idea.created", target=idea, purpose=PURPOSE, details={"title": title}
    )
    return idea


@transaction.atomic
def idea_move(
    *,
    actor: User,
    idea: Idea,
    to_stage: str,
    decided_on: date,
    criteria: Iterable[StageCriterion],
    note: str = "",
    facts: dict[str, Any] | None = None,
) -> StageMove:
    """Move an idea to the next stage (or stop it), recording who decided, when and against
    which criteria. Refused unless every criterion of the stage is met and its facts given."""
    _require(actor, idea.organisation_id)
    # Lock the row so that two decisions cannot both move the idea from the same stage.
    list(Idea.objects.select_for_update().filter(pk=idea.pk).values_list("pk"))
    idea.refresh_from_db()
    if to_stage not in allowed_moves(idea.stage):
        raise ValidationError(
            _("An idea at the stage %(stage)s cannot move to %(to)s.")
            % {"stage": Stage(idea.stage).label, "to": Stage(to_stage).label}
        )
    facts = facts or {}
    errors: dict[str, str] = {}
    for name in REQUIRED_FACTS[Stage(to_stage)]:
        if facts.get(name) in (None, ""):
            label = getattr(Idea._meta.get_field(name), "verbose_name", name)
            errors[name] = _("Moving to %(to)s requires %(fact)s.") % {
                "to": Stage(to_stage).label,
                "fact": label,
            }
    if to_stage == Stage.SCALED and not idea.adoptions.exists():
        errors["__all__"] = _("Record at least one adoption by another organisation or region.")
    chosen = list(criteria)
    stage_criteria = set(StageCriterion.objects.filter(stage=to_stage))
    if any(c not in stage_criteria for c in chosen) or set(chosen) != stage_criteria:
        errors["criteria"] = _("Every criterion of the stage must be met.")
    if errors:
        raise ValidationError(errors)
    for name in REQUIRED_FACTS[Stage(to_stage)] + OPTIONAL_FACTS.get(Stage(to_stage), ()):
        if name in facts:
            setattr(idea, name, facts[name])
    from_stage = idea.stage
    idea.stage = to_stage
    idea.full_clean()
    idea.save()
    move = StageMove.objects.create(
        idea=idea,
        from_stage=from_stage,
        to_stage=to_stage,
        decided_by=actor,
        decided_on=decided_on,
        note=note,
    )
    move.criteria.set(chosen)
    audit_log(
        actor=actor,
        action="idea.moved",
        target=idea,
        purpose=PURPOSE,
        details={"from": from_stage, "to": to_stage, "criteria": sorted(c.code for c in chosen)},
    )
    return move


@transaction.atomic
def adoption_add(
    *,
    actor: User,
    idea: Idea,
    organisation: Organisation | None,
    county: County | None,
    adopted_on: date,
    note: str = "",
) -> Adoption:
    """Record that another organisation or a region took up an evaluated (or scaled) idea."""
    _require(actor, idea.organisation_id)
    if idea.stage not in (Stage.EVALUATED, Stage.SCALED):
        raise ValidationError(_("Only an evaluated idea can be adopted."))
    if organisation is None and county is None:
        raise ValidationError(_("Name the adopting organisation or region."))
    if organisation is not None and organisation.pk == idea.organisation_id:
        raise ValidationError({"organisation": _("The originator does not adopt its own idea.")})
    adoption = Adoption(
        idea=idea, organisation=organisation, county=county, adopted_on=adopted_on, note=note
    )
    adoption.full_clean()
    adoption.save()
    audit_log(
        actor=actor,
        action="idea.adopted",
        target=idea,
        purpose=PURPOSE,
        details={
            "organisation": organisation.code if organisation else "",
            "county": county.code if county else "",
        },
    )
    return adoption


@transaction.atomic
def strategy_goal_add(
    *,
    actor: User,
    organisation: Organisation,
    goal: str,
    thematic_area: ThematicArea | None = None,
    target_year: int | None = None,
) -> StrategyGoal:
    """A goal of the organisation's innovation strategy, by its coordinators."""
    _require(actor, organisation.pk)
    row = StrategyGoal(
        organisation=organisation, goal=goal, thematic_area=thematic_area, target_year=target_year
    )
    row.full_clean()
    row.save()
    audit_log(
        actor=actor,
        action="strategy_goal.added",
        target=row,
        purpose=PURPOSE,
        details={"goal": goal},
    )
    return row
