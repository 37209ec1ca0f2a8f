"""API representations of counties and municipalities."""

from rest_framework import serializers

from emplus.geo.models import County, Municipality


class CountySerializer(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = [
            "code",
            "name",
            "short_name",
            "letter",
            "nuts3_code",
            "population_2024",
            "area_km2",
        ]


class MunicipalitySerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county_id")
    density = serializers.FloatField(read_only=True)
    is_rural = serializers.BooleanField(read_only=True)
    is_sparsely_populated = serializers.BooleanField(read_only=True)

    class Meta:
        model = Municipality
        fields = [
            "code",
            "name",
            "county",
            "population_2024",
            "area_km2",
            "density",
            "skr_group_2023",
            "skr_group_2023_name",
            "is_rural",
            "is_sparsely_populated",
            "label_lon",
            "label_lat",
        ]
