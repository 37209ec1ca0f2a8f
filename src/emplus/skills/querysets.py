"""Querysets of the skills app: needs, courses and registrations belong to one organisation
(decision 0035); the skill-area taxonomy is shared reference data."""

from __future__ import annotations

from emplus.core.scoping import RestrictedQuerySet, ScopeFields


class SkillNeedQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation")


class CourseQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation")


class CourseOccasionQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="course__organisation")


class RegistrationQuerySet(RestrictedQuerySet):
    """A staff member's registration belongs to the organisation they work in for it."""

    scope = ScopeFields(organisation="organisation")
