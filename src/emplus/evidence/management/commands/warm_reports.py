"""`emplus warm-reports`: the evidence pages' reports kept before anyone asks (decision 0079)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from emplus.evidence.warming import reports_warm


class Command(BaseCommand):
    help = (
        "Compute and keep the indicator and progression reports each viewer's first view asks "
        "for (emplus serve runs it when it starts)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="the language of the progression report's labels (default %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            warmed = reports_warm(language=options["language"])
        except DatabaseError as error:  # e.g. not migrated yet: the pages compute on first view
            raise CommandError(f"The evidence reports were not computed: {error}") from error
        self.stdout.write(
            f"Kept the evidence reports of {warmed.viewers} viewers in {warmed.seconds:.1f} s."
        )
