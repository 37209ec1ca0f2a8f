"""`emplus export-participants --organisation CODE`: participants in the participant-file format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from emplus.organisations.models import Organisation
from emplus.pathways.exporting import participants_export, write_participant_file
from emplus.pathways.models import Participant


class Command(BaseCommand):
    help = (
        "Export an organisation's participants in the participant-file format (the import "
        "format), one row per participant with its latest enrolment."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="organisation code, e.g. ABF")
        parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
        parser.add_argument("--output", default=None, help="file to write (default: stdout)")
        parser.add_argument(
            "--include-personal-id",
            action="store_true",
            help="include the personal identity numbers (left out by default)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(code=options["organisation"].upper()).first()
        if organisation is None:
            raise CommandError(f"no organisation with the code {options['organisation']!r}")
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("--format xlsx needs --output PATH")
        # The operator's command: the organisation's own records, not a user's view of them.
        frame = participants_export(
            actor=None,
            participants=Participant.objects.filter(organisation=organisation),
            organisation=organisation,
            include_identity=options["include_personal_id"],
            channel="command",
        )
        if options["output"]:
            data = write_participant_file(frame, file_format=options["format"])
            Path(options["output"]).write_bytes(data)
            self.stderr.write(f"{frame.height} rows written to {options['output']}")
        else:
            data = write_participant_file(frame, file_format="csv", byte_order_mark=False)
            self.stdout.write(data.decode("utf-8"), ending="")
