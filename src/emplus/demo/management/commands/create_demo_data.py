"""`emplus create-demo-data`: the deterministic demo partnership."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from emplus.demo.builder import DEFAULT_SEED, demo_data_create, demo_refuse_in_production


class Command(BaseCommand):
    help = "Create or update the demo data (fictitious people; same seed, same data)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)

    def handle(self, *args, **options):
        try:
            demo_refuse_in_production()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        logins = demo_data_create(seed=options["seed"])
        self.stdout.write(f"Demo data ready: {len(logins)} demo log-ins.")
