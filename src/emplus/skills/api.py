"""API endpoints of skills development (read-only): the taxonomy, the catalogue and the
aggregable needs for every role; registrations for the owner organisation's coordinators."""

from __future__ import annotations

from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.skills import selectors
from emplus.skills.serializers import (
    CourseSerializer,
    RegistrationSerializer,
    SkillAreaSerializer,
    SkillNeedSerializer,
)


class SkillAreaViewSet(ScopedReadOnlyViewSet):
    serializer_class = SkillAreaSerializer
    required_permission = "skills.view"
    lookup_field = "code"

    def get_queryset(self):
        return selectors.skill_area_list()


class SkillNeedViewSet(ScopedReadOnlyViewSet):
    """The needs of the caller's own organisations (the partnership's only as totals, on the
    skills pages)."""

    serializer_class = SkillNeedSerializer
    required_permission = "skills.view"

    def get_queryset(self):
        return selectors.skill_need_list(viewer=self.request.user)


class CourseViewSet(ScopedReadOnlyViewSet):
    serializer_class = CourseSerializer
    required_permission = "skills.view"

    def get_queryset(self):
        return selectors.course_list(viewer=self.request.user).prefetch_related(
            "methods", "thematic_areas", "occasions"
        )


class RegistrationViewSet(ScopedReadOnlyViewSet):
    serializer_class = RegistrationSerializer
    required_permission = "skills.manage"
    list_audit_action = "registration.listed"
    list_audit_purpose = "skills_development"

    def get_queryset(self):
        return selectors.registration_list(viewer=self.request.user)
