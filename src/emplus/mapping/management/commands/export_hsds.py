"""emplus export-hsds: write the activities as an Open Referral HSDS 3.0 data package."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from emplus.mapping.hsds import package_validate, package_write


class Command(BaseCommand):
    help = "Write activities, organisations and locations as an HSDS 3.0 data package (CSV)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Directory to write (default: var/hsds under the data directory).",
        )

    def handle(self, *args, output: Path | None, **options):
        output = output or Path(settings.VAR_DIR) / "hsds"
        counts = package_write(output)
        errors = package_validate(output)
        for name, n in counts.items():
            self.stdout.write(f"{name}: {n}")
        if errors:
            raise CommandError("The package does not validate:\n" + "\n".join(errors[:20]))
        self.stdout.write(self.style.SUCCESS(f"Valid HSDS 3.0 data package in {output}"))
