"""API representation of skill areas, needs, courses and registrations (explicit fields)."""

from __future__ import annotations

from rest_framework import serializers

from emplus.skills.models import Course, CourseOccasion, Registration, SkillArea, SkillNeed


class SkillAreaSerializer(serializers.ModelSerializer):
    thematic_areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    methods = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = SkillArea
        fields = ["code", "name_sv", "name_en", "description", "thematic_areas", "methods"]


class SkillNeedSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    skill_area = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = SkillNeed
        fields = [
            "id",
            "organisation",
            "skill_area",
            "county",
            "staff_kind",
            "people",
            "urgency",
            "note",
            "created_at",
        ]


class CourseOccasionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CourseOccasion
        fields = ["id", "starts_on", "ends_on", "county", "place", "places"]


class CourseSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    skill_areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    methods = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    thematic_areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    occasions = CourseOccasionSerializer(many=True, read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "provider",
            "organisation",
            "format",
            "length_hours",
            "language",
            "target_roles",
            "skill_areas",
            "methods",
            "thematic_areas",
            "description",
            "occasions",
        ]


class RegistrationSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    person = serializers.SlugRelatedField(slug_field="username", read_only=True)
    course = serializers.PrimaryKeyRelatedField(source="occasion.course", read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "person",
            "organisation",
            "course",
            "occasion",
            "county",
            "status",
            "completed_on",
        ]
