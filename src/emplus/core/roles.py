"""The roles a member can hold and what each role may do: the one table of access policy."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COACH = "coach", _("Coach")
    COORDINATOR = "coordinator", _("Coordinator")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


# Permission name -> roles that hold it. Views and API endpoints name one of these; a meta-test
# fails on any view that names none.
PERMISSIONS: dict[str, frozenset[str]] = {
    "organisation.view": frozenset(Role.values),
    "organisation.view_members": frozenset({Role.COORDINATOR, Role.ADMIN}),
    "geo.view": frozenset(Role.values),
    # Personal records of the viewer's unit (coach) or organisation (coordinator).
    "participant.view": frozenset({Role.COACH, Role.COORDINATOR}),
    "participant.change": frozenset({Role.COACH, Role.COORDINATOR}),
    "participant.import": frozenset({Role.COACH, Role.COORDINATOR}),
    "participant.export": frozenset({Role.COORDINATOR}),
    "participant.erase": frozenset({Role.COORDINATOR}),
    # Data-subject rights: everything about one person, as JSON and as a readable page.
    "participant.rights": frozenset({Role.COORDINATOR}),
    # Pseudonymised records for evaluation: no names, no identity numbers, no contact details.
    "participant.view_pseudonymised": frozenset({Role.ANALYST}),
    "audit.view": frozenset({Role.ADMIN}),
    # One-time links a participant opens without an account (self-assessment, attesting time):
    # created, listed and revoked for the participants one may change.
    "selfservice.link": frozenset({Role.COACH, Role.COORDINATOR}),
    # Attested time: hours per participant and month, and their attestations.
    "time.view": frozenset({Role.COACH, Role.COORDINATOR}),
    "time.change": frozenset({Role.COACH, Role.COORDINATOR}),
    "time.export": frozenset({Role.COORDINATOR}),
    # Activities, methods and test beds are not personal data: every role reads them; the
    # coordinators and administrators of the owning organisation change them.
    "activity.view": frozenset(Role.values),
    "activity.change": frozenset({Role.COORDINATOR, Role.ADMIN}),
    "method.view": frozenset(Role.values),
    "method.change": frozenset({Role.COORDINATOR, Role.ADMIN}),
    "testbed.view": frozenset(Role.values),
    "testbed.change": frozenset({Role.COORDINATOR, Role.ADMIN}),
    # The eight thematic areas are the partnership's: its administrators keep them (issue 11).
    "thematic_area.change": frozenset({Role.ADMIN}),
    # Aggregate evidence (ESF+ indicators, progression, socio-economic value): own organisation
    # at full detail for coordinators and analysts; partnership-wide aggregates, always with
    # small-cell suppression, for analysts and administrators (docs/decisions/0010).
    "evidence.view": frozenset({Role.ANALYST, Role.COORDINATOR, Role.ADMIN}),
    "evidence.view_partnership": frozenset({Role.ANALYST, Role.ADMIN}),
    # The organisations whose aggregates a viewer sees unsuppressed (a grant, not a page).
    "evidence.view_detail": frozenset({Role.ANALYST, Role.COORDINATOR}),
    # ESF projects and their monthly participant report to Statistics Sweden: the report holds
    # the identities of everyone in the project, so only the coordinators of the owner
    # organisation see projects, previews, the submission log and files, and only they change
    # projects and templates, generate files and mark them as sent (docs/decisions/0016).
    # Working life (issue 10): employers are directory data of the organisation that registered
    # them, read by its members and by the partner organisations named as working with them;
    # coaches and coordinators register and change them. Placements are personal records.
    "employer.view": frozenset(Role.values),
    "employer.change": frozenset({Role.COACH, Role.COORDINATOR}),
    "placement.view": frozenset({Role.COACH, Role.COORDINATOR}),
    "placement.change": frozenset({Role.COACH, Role.COORDINATOR}),
    "education.view": frozenset({Role.COACH, Role.COORDINATOR}),
    "education.change": frozenset({Role.COACH, Role.COORDINATOR}),
    # Monthly income: the owning organisation only (never opened by consent to sharing).
    "income.view": frozenset({Role.COACH, Role.COORDINATOR}),
    "income.change": frozenset({Role.COACH, Role.COORDINATOR}),
    # Funding calls (issue 11): every role reads them; coordinators register calls for their
    # organisation and change those, the partnership administrator changes every call.
    # A consortium for a call belongs to its lead organisation: its coordinators and
    # administrators draft it, read it and export its annex (decision 0033).
    "call.view": frozenset(Role.values),
    "call.change": frozenset({Role.COORDINATOR, Role.ADMIN}),
    "consortium.view": frozenset({Role.COORDINATOR, Role.ADMIN}),
    "consortium.change": frozenset({Role.COORDINATOR, Role.ADMIN}),
    # Opportunities are directory rows like their employers; work profiles and proposals are the
    # participant's personal records for matching (coach of the unit, coordinator).
    "opportunity.view": frozenset(Role.values),
    "opportunity.change": frozenset({Role.COACH, Role.COORDINATOR}),
    "proposal.view": frozenset({Role.COACH, Role.COORDINATOR}),
    "proposal.change": frozenset({Role.COACH, Role.COORDINATOR}),
    "esf.view": frozenset({Role.COORDINATOR}),
    "esf.manage": frozenset({Role.COORDINATOR}),
    # Collaborations (issue 11): the partnership's shared register, read by every member of any
    # organisation (partnership-wide, below) with its documents; the coordinators and
    # administrators of the registering organisation keep it (docs/decisions/0032).
    "collaboration.view": frozenset(Role.values),
    "collaboration.change": frozenset({Role.COORDINATOR, Role.ADMIN}),
    # Action plans (issue 12, docs/decisions/0034): no personal data, read by every role; the
    # live values of their goals are aggregates, suppressed outside the organisations the viewer
    # sees at full detail. Coordinators and administrators change the plans of their
    # organisation and of the test beds it leads; partnership administrators those of a county
    # or of the whole partnership.
    "plan.view": frozenset(Role.values),
    "plan.change": frozenset({Role.COORDINATOR, Role.ADMIN}),
    "plan.change_partnership": frozenset({Role.ADMIN}),
    # Skills development (issue 12, decision 0035): needs, the course catalogue and the
    # partnership-wide aggregates are read by every role; coordinators and administrators record
    # their organisation's needs and publish courses; the skill-area taxonomy is the partnership
    # administrator's. Registrations and competence profiles (a staff member's completed
    # courses) are seen by the person and by their own organisation's coordinators only.
    "skills.view": frozenset(Role.values),
    "skills.change": frozenset({Role.COORDINATOR, Role.ADMIN}),
    "skills.taxonomy": frozenset({Role.ADMIN}),
    "course.change": frozenset({Role.COORDINATOR, Role.ADMIN}),
    "skills.manage": frozenset({Role.COORDINATOR}),
    # The innovation pipeline (issue 12, decision 0035): ideas, their moves, adoptions and the
    # innovation strategies are not personal data: every role reads them; the coordinators and
    # administrators of the originator organisation register and move its ideas.
    "innovation.view": frozenset(Role.values),
    "innovation.change": frozenset({Role.COORDINATOR, Role.ADMIN}),
}

# Roles that see personal data (pseudonymised data is personal data too): a second factor is
# required for them when EMPLUS_REQUIRE_2FA is on.
ROLES_REQUIRING_SECOND_FACTOR = frozenset({Role.COACH, Role.COORDINATOR, Role.ANALYST, Role.ADMIN})

# Permissions a role holds across the whole partnership, not only in the organisations of its
# memberships: administrators keep the directory (organisations, units, memberships) and the
# audit log; every member reads the collaboration register and the funding calls. Every other
# grant counts only in the membership's own organisation (and, for a coach, unit):
# emplus.core.scoping.restrict().
PARTNERSHIP_WIDE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COACH: frozenset({"collaboration.view", "call.view"}),
    Role.COORDINATOR: frozenset({"collaboration.view", "call.view"}),
    Role.ANALYST: frozenset({"collaboration.view", "call.view"}),
    Role.ADMIN: frozenset(
        {
            "organisation.view",
            "organisation.view_members",
            "audit.view",
            "collaboration.view",
            "plan.change_partnership",
            "thematic_area.change",
            "call.change",
            "call.view",
            "skills.taxonomy",
        }
    ),
}


def role_has_permission(role: str, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}; add it to emplus.core.roles.")
    return role in PERMISSIONS[permission]
