"""API output of the collaboration registry (explicit fields; documents listed, not streamed)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from emplus.collaborations.models import Collaboration, CollaborationDocument, CollaborationParty


class PartySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="actor.name", read_only=True)
    sector = serializers.CharField(source="actor.sector", read_only=True)

    class Meta:
        model = CollaborationParty
        fields = ["organisation", "employer", "name", "sector", "role", "role_note"]


class DocumentSerializer(serializers.ModelSerializer):
    file_name = serializers.CharField(source="original_name", read_only=True)
    uploaded_by = serializers.SerializerMethodField()
    uploaded_at = serializers.DateTimeField(source="created_at", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CollaborationDocument
        fields = [
            "id",
            "kind",
            "file_name",
            "content_type",
            "size",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_uploaded_by(self, document: CollaborationDocument) -> str | None:
        return document.uploaded_by.get_username() if document.uploaded_by else None

    @extend_schema_field(serializers.CharField())
    def get_download_url(self, document: CollaborationDocument) -> str:
        # the page's download, which checks the register's scope (session log-in)
        return reverse("collaborations:document", args=[document.pk])


class CollaborationSerializer(serializers.ModelSerializer):
    organisation_code = serializers.CharField(source="organisation.code", read_only=True)
    parties = PartySerializer(many=True, read_only=True)
    thematic_areas = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    counties = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    municipalities = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    arenas = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Collaboration
        fields = [
            "id",
            "organisation",
            "organisation_code",
            "title",
            "kind",
            "status",
            "description",
            "arenas",
            "thematic_areas",
            "counties",
            "municipalities",
            "starts_on",
            "ends_on",
            "contact_name",
            "contact_email",
            "contact_phone",
            "parties",
        ]


class CollaborationDetailSerializer(CollaborationSerializer):
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta(CollaborationSerializer.Meta):
        fields = [*CollaborationSerializer.Meta.fields, "documents"]
