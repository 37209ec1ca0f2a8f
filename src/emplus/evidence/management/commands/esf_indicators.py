"""`emplus esf-indicators FILE`: the ESF+ common indicators of a participant file.

A thin adapter: reading, validation and computation live in `emplus.evidence`; this command
supplies the settings (rule overrides, the organisation register) and writes the output.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from emplus.evidence_core.indicators import IndicatorRules, compute_indicators
from emplus.evidence_core.participant_file import read_participant_file

MAX_WARNINGS_SHOWN = 50


def organisation_aliases() -> dict[str, str] | None:
    """Accepted organisation codes and names (any case) → code, or None without a register.

    Falls back to None (any code accepted) when the database or table is not there.
    """
    try:
        from emplus.organisations.models import Organisation

        rows = list(Organisation.objects.values_list("code", "name"))
    except (ImportError, LookupError, DatabaseError, AttributeError, RuntimeError):
        # No register to check against (no database, no table, or database access blocked).
        # RuntimeError is what pytest-django raises for a test without database access.
        return None
    if not rows:
        return None
    aliases: dict[str, str] = {}
    for code, name in rows:
        if name:
            aliases[name.strip().lower()] = code
    for code, _ in rows:  # a code wins over another organisation's identical name
        aliases[code.strip().lower()] = code
    return aliases


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of must be a date YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = (
        "Compute the ESF+ common participant indicators (EECO01-17, EECR01-06) of a "
        "participant file (CSV or XLSX)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="participant file, CSV (UTF-8, ',' or ';') or XLSX")
        parser.add_argument(
            "--as-of", type=_parse_date, default=None, help="reporting date (default: today)"
        )
        parser.add_argument("--format", choices=("json", "csv", "xlsx"), default="json")
        parser.add_argument(
            "--output", default=None, help="file to write (required for xlsx; default stdout)"
        )
        parser.add_argument(
            "--suppress-below",
            type=int,
            default=None,
            metavar="N",
            help="hide counts 1..N-1 and the cells that would reveal them (default: no "
            "suppression)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of: date = options["as_of"] or timezone.localdate()
        fmt: str = options["format"]
        output: str | None = options["output"]
        suppress: int | None = options["suppress_below"]
        if fmt == "xlsx" and not output:
            raise CommandError("--format xlsx needs --output PATH")
        if suppress is not None and suppress < 1:
            raise CommandError("--suppress-below must be at least 1")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            rules = IndicatorRules.from_mapping(getattr(settings, "EMPLUS_ESF_RULES", {}))
        except ValueError as exc:
            raise CommandError(f"EMPLUS_ESF_RULES: {exc}") from None

        result_file = read_participant_file(path, as_of=as_of, organisations=organisation_aliases())
        for warning in result_file.warnings[:MAX_WARNINGS_SHOWN]:
            self.stderr.write(f"warning: {warning}")
        hidden = len(result_file.warnings) - MAX_WARNINGS_SHOWN
        if hidden > 0:
            self.stderr.write(f"warning: … and {hidden} more warnings")
        if not result_file.ok:
            for error in result_file.errors:
                self.stderr.write(f"error: {error}")
            self.stderr.write(
                f"{len(result_file.errors)} error(s): the file is rejected, nothing was computed."
            )
            self.stderr.flush()
            raise SystemExit(2)

        result = compute_indicators(result_file.data, as_of=as_of, rules=rules)
        if suppress is not None:
            result = result.suppress(suppress)
        if fmt == "xlsx":
            result.write_xlsx(output)
            return
        text = result.to_json() + "\n" if fmt == "json" else result.to_csv()
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
            self.stdout.flush()
