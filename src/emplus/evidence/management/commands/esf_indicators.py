"""`emplus esf-indicators FILE`: the ESF+ common indicators of a participant file.

The command line runs `emplus.evidence.commandline` without setting up Django; this command
(for `call_command` and other settings modules) runs the same code with the organisation
register read through the ORM and the rules taken from the settings.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from emplus.evidence.commandline import CommandFailure, add_indicator_arguments, run_indicators
from emplus.organisations.register import read_register_with_orm


class Command(BaseCommand):
    help = (
        "Compute the ESF+ common participant indicators (EECO01-17, EECR01-06) of a "
        "participant file (CSV or XLSX)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_indicator_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            status = run_indicators(
                options,
                register=read_register_with_orm,
                rules=getattr(settings, "EMPLUS_ESF_RULES", {}),
                today=timezone.localdate,
                stdout=self.stdout,
                stderr=self.stderr,
            )
        except CommandFailure as exc:
            raise CommandError(str(exc), returncode=exc.status) from None
        if status:
            raise SystemExit(status)
