"""Reads of the guide: which sections a viewer's index shows first (their own roles)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from emplus.core.roles import Role
from emplus.core.scoping import roles_of
from emplus.core.typing import User
from emplus.help.sections import EVERYONE, ROLE_ORDER, sections_for

ROLE_HEADINGS = {
    Role.COACH: _("Coach"),
    Role.COORDINATOR: _("Coordinator"),
    Role.ANALYST: _("Analyst"),
    Role.ADMIN: _("Partnership administrator"),
    EVERYONE: _("Everyone"),
}


def help_index(*, viewer: User) -> dict[str, Any]:
    """The index: one group of sections per role, the viewer's own roles first."""
    own = roles_of(viewer)
    ordered = sorted(
        ROLE_ORDER, key=lambda role: 0 if role in own else 1 if role == EVERYONE else 2
    )
    groups = [
        {
            "role": role,
            "heading": ROLE_HEADINGS[role],
            "own": role in own,
            "sections": sections_for(role),
        }
        for role in ordered
    ]
    return {"groups": groups, "own_roles": sorted(own)}
