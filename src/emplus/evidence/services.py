"""Writes of the evidence app: starting an effect estimate (one transaction, audited in it)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from emplus.core.audit import audit_log
from emplus.core.typing import User
from emplus.evidence.models import ComparisonKind, EffectEstimate
from emplus.evidence.selectors import full_detail_organisations
from emplus.evidence.tasks import run_effect_estimate
from emplus.organisations.models import Organisation


def _estimate_organisation(actor: User, treated: dict[str, str]) -> Organisation | None:
    """Whose analysts see the estimate: the treated group's organisation when the actor has
    full detail there, else the actor's first such organisation; None (partnership) without."""
    own = full_detail_organisations(actor)
    if not own:
        return None
    chosen = Organisation.objects.filter(code=treated.get("organisation"), pk__in=own).first()
    return chosen or Organisation.objects.filter(pk__in=own).order_by("code").first()


@transaction.atomic
def effect_estimate_start(
    *,
    actor: User,
    treatment: dict[str, str],
    comparison_kind: str,
    comparison: dict[str, str],
    comparison_rows: list[dict[str, Any]],
    outcome: str,
    covariates: list[str],
    method: str,
    seed: int,
) -> EffectEstimate:
    """Store an estimate with its inputs and queue the background task once it is committed."""
    is_file = comparison_kind == ComparisonKind.FILE
    estimate = EffectEstimate(
        created_by=actor,
        organisation=_estimate_organisation(actor, treatment),
        treatment=treatment,
        comparison_kind=comparison_kind,
        comparison={} if is_file else comparison,
        comparison_rows=comparison_rows if is_file else [],
        outcome=outcome,
        covariates=list(covariates),
        method=method,
        seed=seed,
    )
    estimate.full_clean()
    estimate.save()
    audit_log(
        actor=actor,
        action="effect_estimate.started",
        target=estimate,
        purpose="evaluation",
        details={
            "method": method,
            "outcome": outcome,
            "comparison_kind": comparison_kind,
            "comparison_rows": len(estimate.comparison_rows),
        },
    )
    transaction.on_commit(lambda: run_effect_estimate.enqueue(str(estimate.pk)))
    return estimate
