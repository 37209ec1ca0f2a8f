"""Swedish counties (län) and municipalities (kommuner), keyed by their SCB codes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, F, FloatField, Q
from django.utils.translation import gettext_lazy as _

from emplus.evidence_core.reference import RURAL_SKR_GROUPS


class County(models.Model):
    code = models.CharField(_("county code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=60)
    letter = models.CharField(_("county letter"), max_length=2)
    nuts3_code = models.CharField(_("NUTS 3 code"), max_length=5)
    population_2024 = models.PositiveIntegerField(_("population 2024"))
    area_km2 = models.FloatField(_("area (km², derived)"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name


class MunicipalityQuerySet(models.QuerySet):
    def with_density(self) -> MunicipalityQuerySet:
        return self.annotate(
            density_per_km2=ExpressionWrapper(
                F("population_2024") * 1.0 / F("area_km2"), output_field=FloatField()
            )
        )

    def rural(self) -> MunicipalityQuerySet:
        return self.filter(skr_group_2023__in=RURAL_SKR_GROUPS)

    def sparsely_populated(self) -> MunicipalityQuerySet:
        limit = settings.EMPLUS_SPARSE_DENSITY_MAX
        return self.with_density().filter(density_per_km2__lte=limit)

    def rural_or_sparse(self) -> MunicipalityQuerySet:
        limit = settings.EMPLUS_SPARSE_DENSITY_MAX
        return self.with_density().filter(
            Q(skr_group_2023__in=RURAL_SKR_GROUPS) | Q(density_per_km2__lte=limit)
        )


class Municipality(models.Model):
    code = models.CharField(_("municipality code"), max_length=4, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("county")
    )
    population_2024 = models.PositiveIntegerField(_("population 2024"))
    area_km2 = models.FloatField(_("area (km², derived)"))
    skr_group_2023 = models.CharField(_("SKR municipality group 2023"), max_length=2)
    skr_group_2023_name = models.CharField(_("SKR group name"), max_length=100)
    label_lon = models.FloatField(_("label longitude"))
    label_lat = models.FloatField(_("label latitude"))

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(condition=Q(area_km2__gt=0), name="municipality_area_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def density(self) -> float:
        return self.population_2024 / self.area_km2

    @property
    def is_rural(self) -> bool:
        """SKR 2023 group C8 or C9 (rural municipalities)."""
        return self.skr_group_2023 in RURAL_SKR_GROUPS

    @property
    def is_sparsely_populated(self) -> bool:
        return self.density <= settings.EMPLUS_SPARSE_DENSITY_MAX
