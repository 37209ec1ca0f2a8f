"""Background task of the action plans (django-tasks, database backend): the monthly snapshot
of every running goal's value and status. `emplus plan_snapshots --enqueue` queues it (from
cron or a systemd timer on the first of the month); `emplus db-worker` runs it. Run again after
its worker died (decision 0041), it skips the goals already taken this month."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from emplus.plans.services import snapshot_take


@task()
def take_goal_snapshots(on: str | None = None) -> dict:
    run = snapshot_take(on=date.fromisoformat(on) if on else None)
    return {"month": run.month.isoformat(), "taken": run.taken, "already": run.already}
