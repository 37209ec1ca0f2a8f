"""API representations of organisations and units."""

from rest_framework import serializers

from emplus.organisations.models import Organisation, Unit


class OrganisationSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality_id", allow_null=True)

    class Meta:
        model = Organisation
        fields = ["id", "code", "name", "sector", "kind", "is_partner", "municipality", "website"]


class UnitSerializer(serializers.ModelSerializer):
    organisation = serializers.UUIDField(source="organisation_id")
    organisation_code = serializers.CharField(source="organisation.code")
    municipality = serializers.CharField(source="municipality_id")
    county = serializers.CharField(source="municipality.county_id")

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "kind",
            "organisation",
            "organisation_code",
            "municipality",
            "county",
        ]
