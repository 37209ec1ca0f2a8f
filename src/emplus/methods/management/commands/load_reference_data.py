"""`emplus load-reference-data`: geography, the partner register and the thematic areas from the
packaged files (here, in the lowest app that knows all three), then the reference data of every
app whose AppConfig has `load_reference_data()` (upper apps, reached through the app registry,
never imported)."""

from django.apps import apps
from django.core.management.base import BaseCommand

from emplus.geo.services import reference_data_load
from emplus.methods.services import thematic_area_reference_load
from emplus.organisations.services import partner_register_load


class Command(BaseCommand):
    help = (
        "Load the 21 counties, 290 municipalities, the nine partner organisations and the eight "
        "thematic areas (idempotent: running it again changes nothing)."
    )

    def handle(self, *args, **options):
        report = reference_data_load()
        self.stdout.write(
            f"Counties: {report.counties}, municipalities: {report.municipalities} "
            f"({report.created} created, {report.updated} updated)"
        )
        partners = partner_register_load()
        self.stdout.write(
            f"Partner organisations: {partners.partners} "
            f"({partners.created} created, {partners.updated} updated)"
        )
        areas = thematic_area_reference_load()
        self.stdout.write(f"Thematic areas: {areas.areas} ({areas.created} created)")
        for config in apps.get_app_configs():
            hook = getattr(config, "load_reference_data", None)
            if callable(hook):
                self.stdout.write(hook())
