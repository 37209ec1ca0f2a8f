"""The XLSX export of a plan: its goals with their values as the viewer sees them, the history
and the actions (cells made inert, docs/decisions/0012)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.translation import gettext as _

from emplus.core.export_cells import xlsx_workbook, xlsx_write_row
from emplus.plans.models import ActionPlan
from emplus.plans.selectors import GoalRow


def _measure(row: GoalRow) -> str:
    goal = row.goal
    return goal.indicator_code or goal.metric_name or goal.get_kind_display()


def plan_xlsx(plan: ActionPlan, rows: Sequence[GoalRow]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsx_workbook(buffer)
    sheet = workbook.add_worksheet(_("Goals")[:31])
    xlsx_write_row(sheet, 0, 0, [plan.title, f"{plan.period_start} – {plan.period_end}"])
    header = [
        _("Goal"),
        _("Measured by"),
        _("Indicator"),
        _("Baseline"),
        _("Target"),
        _("Deadline"),
        _("Expected today"),
        _("Value"),
        _("Status"),
    ]
    xlsx_write_row(sheet, 2, 0, header)
    for i, row in enumerate(rows, start=3):
        goal = row.goal
        xlsx_write_row(
            sheet,
            i,
            0,
            [
                goal.title,
                goal.get_kind_display(),
                _measure(row),
                goal.baseline,
                goal.target,
                goal.deadline,
                row.expected,
                row.value,
                row.status_label,
            ],
        )
    history = workbook.add_worksheet(_("History")[:31])
    xlsx_write_row(history, 0, 0, [_("Goal"), _("Month"), _("Value"), _("Status")])
    line = 1
    for row in rows:
        for point in row.history:
            xlsx_write_row(
                history,
                line,
                0,
                [row.goal.title, point.month.strftime("%Y-%m"), point.value, point.status],
            )
            line += 1
    actions = workbook.add_worksheet(_("Actions")[:31])
    xlsx_write_row(
        actions,
        0,
        0,
        [_("Goal"), _("Action"), _("Responsible organisation"), _("Due date"), _("Status")],
    )
    line = 1
    for row in rows:
        for action in row.goal.actions.all():
            xlsx_write_row(
                actions,
                line,
                0,
                [
                    row.goal.title,
                    action.title,
                    action.responsible.name,
                    action.due_date,
                    action.get_status_display(),
                ],
            )
            line += 1
    workbook.close()
    return buffer.getvalue()
