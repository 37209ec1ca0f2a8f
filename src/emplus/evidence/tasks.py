"""Background tasks of the evidence module (django-tasks, database backend).

`emplus db-worker` runs them; `emplus serve` and `emplus demo` start one beside the web server
(docs/decisions/0011-background-estimates.md). A task runs at least once: one whose worker died is
run again (0041), so each must be safe to run twice (an estimate recomputes the same result from
its stored inputs and seed into the same row).
"""

from __future__ import annotations

from django_tasks import task

from emplus.evidence.estimates import run_estimate


@task()
def run_effect_estimate(estimate_id: str) -> None:
    run_estimate(estimate_id)
