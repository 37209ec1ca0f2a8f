"""`emplus import-participants FILE`: import a participant file (CSV or XLSX) into one organisation.

A thin adapter over `emplus.pathways.importing.participants_import`: any error in the file
imports nothing, prints every error as `row N, column C: …` and exits with status 2.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from emplus.organisations.models import Organisation
from emplus.pathways.choices import ProcessingBasis
from emplus.pathways.importing import participants_import
from emplus.pathways.services import CONSENT_PURPOSES, ConsentTerms

MAX_WARNINGS_SHOWN = 50


def _basis(options: dict[str, Any]) -> ConsentTerms | None:
    if options["basis"] is None:
        return None
    purposes = frozenset(p.strip() for p in options["purposes"].split(",") if p.strip())
    unknown = purposes - set(CONSENT_PURPOSES)
    if unknown:
        raise CommandError(f"unknown purposes: {', '.join(sorted(unknown))}")
    return ConsentTerms(
        information_version=options["information_version"],
        given_on=options["given_on"] or timezone.localdate(),
        legal_basis=options["basis"],
        purposes=purposes,
    )


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
            "--basis",
            choices=ProcessingBasis.values,
            default=None,
            help="legal basis of the data of the participants the file creates (recorded for "
            "each as their first consent record); needed when the file creates participants",
        )
        parser.add_argument(
            "--purposes",
            default="case_work,statistics",
            help="comma-separated purposes the basis covers (case_work is needed; sharing is "
            "never agreed by import), default case_work,statistics",
        )
        parser.add_argument(
            "--information-version", default="1", help="version of the information text given"
        )
        parser.add_argument(
            "--given-on",
            type=date.fromisoformat,
            default=None,
            help="date the consent was given or the basis recorded (YYYY-MM-DD), default today",
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
                basis=_basis(options),
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
