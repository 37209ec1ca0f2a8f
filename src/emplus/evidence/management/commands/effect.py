"""`emplus effect FILE ...`: a counterfactual effect estimate (ATT) on a table file.

The command line runs `emplus.evidence.commandline` without setting up Django; this command
runs the same code for `call_command` and other settings modules.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from emplus.evidence.commandline import CommandFailure, add_effect_arguments, run_effect


class Command(BaseCommand):
    help = (
        "Estimate the average effect on the treated (ATT) of a treatment column on an outcome "
        "column of a CSV, XLSX or Parquet file, adjusting for the given covariates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_effect_arguments(parser)

    def handle(self, *args: object, **options: object) -> None:
        try:
            run_effect(options, stdout=self.stdout)
        except CommandFailure as exc:
            raise CommandError(str(exc), returncode=exc.status) from exc
