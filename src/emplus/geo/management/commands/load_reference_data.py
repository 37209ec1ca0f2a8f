"""`emplus load-reference-data`: counties and municipalities from the packaged files."""

from django.core.management.base import BaseCommand

from emplus.geo.services import reference_data_load


class Command(BaseCommand):
    help = "Load the 21 counties and 290 municipalities (idempotent)."

    def handle(self, *args, **options):
        report = reference_data_load()
        self.stdout.write(
            f"Counties: {report.counties}, municipalities: {report.municipalities} "
            f"({report.created} created, {report.updated} updated)"
        )
