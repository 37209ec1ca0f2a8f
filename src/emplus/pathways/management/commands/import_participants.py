"""`emplus import-participants FILE`: import a participant file (CSV or XLSX) into one organisation.

A thin adapter over `emplus.pathways.importing.participants_import`: any error in the file
imports nothing, prints every error as `row N, column C: …` and exits with status 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from emplus.organisations.models import Organisation
from emplus.pathways.importing import participants_import

MAX_WARNINGS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import participants from a participant file (CSV or XLSX) into one organisation: "
        "all rows or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="participant file, CSV (UTF-8, ',' or ';') or XLSX")
        parser.add_argument("--organisation", required=True, help="organisation code, e.g. ABF")
        parser.add_argument(
            "--user", required=True, help="username of the importing coach or coordinator"
        )
        parser.add_argument(
            "--legal-basis",
            choices=("consent",),
            default="",
            help="the participants' recorded consent covers disability and minority; without "
            "it those values are left out",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        organisation = Organisation.objects.filter(code=options["organisation"].upper()).first()
        if organisation is None:
            raise CommandError(f"no organisation with the code {options['organisation']!r}")
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']!r}")
        verbose = options["verbosity"] >= 1

        def progress(done: int, total: int) -> None:
            if verbose and done:
                self.stdout.write(f"written {done} of {total} rows")
                self.stdout.flush()

        try:
            result = participants_import(
                actor=user,
                organisation=organisation,
                source=path.read_bytes(),
                file_name=path.name,
                legal_basis=options["legal_basis"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except PermissionDenied:
            raise CommandError(
                f"{user.get_username()} is not a coach or coordinator of {organisation.code}"
            ) from None
        for warning in result.warnings[:MAX_WARNINGS_SHOWN]:
            self.stderr.write(f"warning: {warning}")
        if len(result.warnings) > MAX_WARNINGS_SHOWN:
            self.stderr.write(f"warning: … and {len(result.warnings) - MAX_WARNINGS_SHOWN} more")
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"error: {error}")
            self.stderr.write(
                f"{len(result.errors)} error(s): the file is rejected, nothing was imported."
            )
            self.stderr.flush()
            raise SystemExit(2)
        prefix = "dry run, nothing written: would have " if result.dry_run else ""
        self.stdout.write(
            f"{prefix}{result.rows} rows read: {result.created} created, {result.updated} "
            f"updated, {result.unchanged} unchanged, {result.not_yet_started} not yet started "
            "(left out)"
        )
        if result.special_values_left_out:
            self.stdout.write(
                f"{result.special_values_left_out} special-category values left out "
                "(no --legal-basis)"
            )
        if result.batch is not None:
            self.stdout.write(f"import batch {result.batch.pk}")
