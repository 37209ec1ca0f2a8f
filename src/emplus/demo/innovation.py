"""Demo content of the innovation pipeline: ideas at every stage, each move decided against
its stage's criteria, one idea scaled to two regions, and strategy goals per partner.
Deterministic for a given random generator."""

from __future__ import annotations

import datetime as dt
import random

from emplus.geo.models import County
from emplus.innovation.choices import Stage
from emplus.innovation.models import Adoption, Idea, StageCriterion, StageMove, StrategyGoal
from emplus.innovation.services import stage_criteria_load
from emplus.methods.models import MethodVersion, ThematicArea
from emplus.organisations.models import Membership, Organisation
from emplus.testbeds.models import TestBed

# title, problem, solution, target group, thematic area code, stage reached
IDEAS = [
    (
        "Jobbsök i föreningslokalen",
        "Deltagare söker inte jobb ensamma hemma.",
        "Öppen jobbsökarverkstad två kvällar i veckan.",
        "Unga vuxna 18–29 år",
        "INCLUSION",
        Stage.IDEA,
    ),
    (
        "Studiecirkel om arbetsrätt",
        "Gigarbetare känner inte sina rättigheter.",
        "Kort studiecirkel med facklig handledare.",
        "Gigarbetare",
        "GIG",
        Stage.DESIGNED,
    ),
    (
        "Mentor från bygden",
        "I glesbygd saknas förebilder i arbetslivet.",
        "Pensionerade yrkespersoner som mentorer på distans.",
        "Arbetssökande i glesbygd",
        "SPARSE",
        Stage.TESTED,
    ),
    (
        "Självskattning i mobilen",
        "Pappersenkäter kommer inte tillbaka.",
        "Självskattning via länk i mobilen vid varje möte.",
        "Alla deltagare",
        "EFFECT",
        Stage.EVALUATED,
    ),
    (
        "Praktik i lokala företag",
        "Arbetsgivare vet inte hur de tar emot praktikanter.",
        "Handledarstöd och en fast kontaktperson per arbetsgivare.",
        "Personer långt från arbetsmarknaden",
        "BUSINESS",
        Stage.SCALED,
    ),
    (
        "Digital drop-in",
        "Deltagare kom inte till digitala träffar.",
        "Drop-in i digitala möten utan bokning.",
        "Deltagare med lång resväg",
        "COMPETENCE",
        Stage.STOPPED,
    ),
]
ORDER = [Stage.IDEA, Stage.DESIGNED, Stage.TESTED, Stage.EVALUATED, Stage.SCALED]
GOALS = [
    ("Pröva minst två nya metoder i testbädd per år", "INCLUSION", 2027),
    ("Minst en metod spridd till en annan region", "BUSINESS", 2028),
]


def _path(stage: str) -> list[str]:
    if stage == Stage.STOPPED:
        return [Stage.DESIGNED, Stage.STOPPED]
    return ORDER[1 : ORDER.index(Stage(stage)) + 1]


def create(rng: random.Random) -> list[Idea]:
    stage_criteria_load()
    partners = list(Organisation.objects.filter(is_partner=True).order_by("code"))
    areas = {a.code: a for a in ThematicArea.objects.all()}
    versions = list(MethodVersion.objects.select_related("method").order_by("method__code"))
    beds = list(TestBed.objects.order_by("code"))
    counties = list(County.objects.order_by("code"))
    if not (partners and areas and versions and beds):
        return []
    criteria = {s: list(StageCriterion.objects.filter(stage=s)) for s in Stage.values}
    ideas = []
    for number, (title, problem, solution, group, area, stage) in enumerate(IDEAS):
        organisation = partners[number % len(partners)]
        decider = (
            Membership.objects.filter(organisation=organisation, role="coordinator")
            .select_related("user")
            .first()
        )
        bed = rng.choice(beds)
        start = dt.date(2025, 2, 1) + dt.timedelta(days=rng.randint(0, 60))
        idea, _ = Idea.objects.update_or_create(
            title=title,
            defaults={
                "organisation": organisation,
                "problem": problem,
                "proposed_solution": solution,
                "target_group": group,
                "thematic_area": areas[area],
                "stage": stage,
                "method_version": rng.choice(versions) if stage != Stage.IDEA else None,
                "test_bed": bed if stage in (Stage.TESTED, Stage.EVALUATED, Stage.SCALED) else None,
                "test_start": start
                if stage in (Stage.TESTED, Stage.EVALUATED, Stage.SCALED)
                else None,
                "test_end": start + dt.timedelta(days=180)
                if stage in (Stage.TESTED, Stage.EVALUATED, Stage.SCALED)
                else None,
                "evidence_level": 2 if stage in (Stage.EVALUATED, Stage.SCALED) else None,
                "evidence_reason": "Stegförflyttning mätt före och efter i testbädden."
                if stage in (Stage.EVALUATED, Stage.SCALED)
                else "",
                "lessons": "Deltagarna ville hellre träffas fysiskt; vi flyttar resurserna dit."
                if stage == Stage.STOPPED
                else "",
            },
        )
        idea.moves.all().delete()
        previous = Stage.IDEA
        for step, to_stage in enumerate(_path(stage)):
            move = StageMove.objects.create(
                idea=idea,
                from_stage=previous,
                to_stage=to_stage,
                decided_by=decider.user if decider else None,
                decided_on=dt.date(2025, 1, 15) + dt.timedelta(days=90 * step),
            )
            move.criteria.set(criteria[to_stage])
            previous = to_stage
        if stage == Stage.SCALED:
            for county, adopter in zip(
                rng.sample(counties, 2), [p for p in partners if p != organisation], strict=False
            ):
                Adoption.objects.update_or_create(
                    idea=idea,
                    county=county,
                    defaults={"organisation": adopter, "adopted_on": dt.date(2026, 3, 1)},
                )
        ideas.append(idea)
    for organisation in partners:
        for goal, area, year in GOALS:
            StrategyGoal.objects.update_or_create(
                organisation=organisation,
                goal=goal,
                defaults={"thematic_area": areas.get(area), "target_year": year},
            )
    return ideas
