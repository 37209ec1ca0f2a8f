"""`emplus esf-indicators` and `emplus effect` on a file, runnable without setting up Django.

`emplus.cli.main` calls `main` here before importing Django, so a file command pays only for
what it uses (Polars, and NumPy/SciPy only for an effect estimate). The Django management
commands of the same names use the same argument definitions and `run_*` functions, so
`call_command` and `emplus help` keep working.

The evidence core and the register reader are imported inside the functions that use them, on
purpose: a file command must not pay for Polars, NumPy or SciPy it does not need (the only
function-local imports of project modules besides the app registry's `ready()` hooks and
`core.typing`; see docs/architecture.md).
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from emplus.core.environment import SETTINGS_MODULE, TIME_ZONE, database_url, esf_rules

#: Exit status for unusable input or a check that cannot be made.
BAD_INPUT = 2
MAX_WARNINGS_SHOWN = 50
NO_CHECK_HINT = "pass --no-register-check to accept any organisation code"


class CommandFailure(Exception):
    """A user-facing failure: the message (one line) and the exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


# --- esf-indicators ---------------------------------------------------------------------------


def _as_of(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--as-of must be a date YYYY-MM-DD, got {value!r}"
        ) from None


def add_indicator_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="participant file, CSV (UTF-8, ',' or ';') or XLSX")
    parser.add_argument(
        "--as-of", type=_as_of, default=None, help="reporting date (default: today)"
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
        help="hide counts 1..N-1 and the cells that would reveal them (default: no suppression)",
    )
    parser.add_argument(
        "--no-register-check",
        action="store_true",
        help="accept any organisation code; without it the command refuses (status 2) when "
        "there is no organisation register to check the codes against",
    )


def run_indicators(
    options: Mapping[str, Any],
    *,
    register: Callable[[], Any],
    rules: Mapping[str, Any],
    today: Callable[[], date],
    stdout: IO[str],
    stderr: IO[str],
) -> int:
    """Read, validate and compute; returns the exit status. Raises CommandFailure on misuse.

    ``register`` gives an `emplus.organisations.register.Register`; it is called only when
    the check is wanted.
    """
    fmt: str = options["format"]
    output: str | None = options["output"]
    suppress: int | None = options["suppress_below"]
    if fmt == "xlsx" and not output:
        raise CommandFailure("--format xlsx needs --output PATH")
    if suppress is not None and suppress < 1:
        raise CommandFailure("--suppress-below must be at least 1")
    path = Path(options["file"])
    if not path.is_file():
        raise CommandFailure(f"no such file: {path}")

    from emplus.evidence_core.indicators import IndicatorRules

    try:
        indicator_rules = IndicatorRules.from_mapping(rules)
    except ValueError as exc:
        raise CommandFailure(f"EMPLUS_ESF_RULES: {exc}") from None

    if options.get("no_register_check"):
        aliases = None
        stderr.write("warning: organisation codes are not checked (--no-register-check)\n")
    else:
        found = register()
        if found.problem:
            stderr.write(
                f"error: cannot check organisation codes: {found.problem}; {NO_CHECK_HINT}\n"
            )
            stderr.flush()
            return BAD_INPUT
        if found.note:
            stderr.write(f"note: {found.note}\n")
        aliases = found.aliases

    from emplus.evidence_core.indicators import compute_indicators
    from emplus.evidence_core.participant_file import read_participant_file

    as_of: date = options["as_of"] or today()
    result_file = read_participant_file(path, as_of=as_of, organisations=aliases)
    for warning in result_file.warnings[:MAX_WARNINGS_SHOWN]:
        stderr.write(f"warning: {warning}\n")
    hidden = len(result_file.warnings) - MAX_WARNINGS_SHOWN
    if hidden > 0:
        stderr.write(f"warning: … and {hidden} more warnings\n")
    if not result_file.ok:
        stderr.writelines(f"error: {error}\n" for error in result_file.errors)
        stderr.write(
            f"{len(result_file.errors)} error(s): the file is rejected, nothing was computed.\n"
        )
        stderr.flush()
        return BAD_INPUT

    result = compute_indicators(result_file.data, as_of=as_of, rules=indicator_rules)
    if suppress is not None:
        result = result.suppress(suppress)
    if fmt == "xlsx" and output:  # checked above: xlsx needs --output
        result.write_xlsx(output)
        return 0
    text = result.to_json() + "\n" if fmt == "json" else result.to_csv()
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        stdout.write(text)
        stdout.flush()
    return 0


def _today_in_sweden() -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo(TIME_ZONE)).date()


def _register_without_django() -> Any:
    from emplus.organisations.register import read_register

    return read_register(database_url())


# --- effect -----------------------------------------------------------------------------------


def _caliper(text: str) -> float | str | None:
    if text.strip().lower() in {"none", "off", "0"}:
        return None
    if text.strip().lower() == "default":
        return "default"
    return float(text)


def add_effect_arguments(parser: argparse.ArgumentParser) -> None:
    # Defaults are literals here so that `--help` imports nothing heavy; a test keeps them
    # equal to the estimator's.
    parser.add_argument("file", help="CSV (, or ; separated), XLSX or Parquet file")
    parser.add_argument("--treatment", required=True, help="1/0, yes/no, true/false, ja/nej")
    parser.add_argument("--outcome", required=True, help="outcome column (after treatment)")
    parser.add_argument(
        "--covariates",
        default="",
        help="comma-separated covariate columns measured before treatment",
    )
    parser.add_argument("--method", choices=("psm", "ipw", "aipw", "did"), default="psm")
    parser.add_argument(
        "--outcome-before",
        default=None,
        help="the outcome measured before treatment (needed by --method did)",
    )
    parser.add_argument(
        "--matches",
        type=int,
        default=6,
        metavar="M",
        help="psm: controls matched to each treated row, with replacement (default 6)",
    )
    parser.add_argument(
        "--match-on",
        choices=("auto", "covariates", "score"),
        default="auto",
        help="psm: match on the standardised covariates or on the logit of the propensity "
        "score (default auto: covariates up to 100 000 rows, the score above)",
    )
    parser.add_argument(
        "--caliper",
        type=_caliper,
        default="default",
        help="psm: caliper in SDs of the logit of the score ('none' for none; default 0.2 "
        "when matching on the score, none on the covariates)",
    )
    parser.add_argument(
        "--no-bias-correction",
        action="store_true",
        help="psm: leave out the Abadie–Imbens regression adjustment of the matched differences",
    )
    parser.add_argument(
        "--interval",
        choices=("analytic", "bootstrap"),
        default="analytic",
        help="analytic (Abadie–Imbens or sandwich) or bootstrap confidence interval",
    )
    parser.add_argument("--bootstrap-reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("json", "text"), default="json")
    parser.add_argument(
        "--lang",
        choices=("sv", "en"),
        default="sv",
        help="language of the plain-language summary in --format text",
    )


def run_effect(options: Mapping[str, Any], *, stdout: IO[str]) -> int:
    """Estimate and print; raises CommandFailure (status 2) on unusable input."""
    from emplus.evidence_core.effects import (
        EffectInputError,
        estimate_effect,
        plain_language_summary,
        read_table,
    )

    covariates = [c.strip() for c in str(options["covariates"]).split(",") if c.strip()]
    before = [options["outcome_before"]] if options["outcome_before"] else []
    used = [str(options["treatment"]), str(options["outcome"]), *before, *covariates]
    try:
        frame = read_table(str(options["file"]), columns=used)
        result = estimate_effect(
            frame,
            treatment=str(options["treatment"]),
            outcome=str(options["outcome"]),
            covariates=covariates,
            method=options["method"],
            outcome_before=options["outcome_before"],
            caliper=options["caliper"],
            matches=int(options["matches"]),
            match_on=options["match_on"],
            bias_correction=not options["no_bias_correction"],
            interval=options["interval"],
            bootstrap_reps=int(options["bootstrap_reps"]),
            seed=int(options["seed"]),
        )
    except EffectInputError as exc:
        raise CommandFailure(str(exc), BAD_INPUT) from exc
    if options["format"] == "json":
        stdout.write(result.to_json() + "\n")
    else:
        summary = plain_language_summary(result, options["lang"])
        stdout.write(result.to_text() + "\n\n" + summary + "\n")
    stdout.flush()
    return 0


def _numpy_settings() -> None:
    """NumPy's import-time settings for the estimate (an explicit setting in the environment
    wins), set before NumPy is imported.

    - One OpenBLAS thread: the estimate's matrix products are small (13 columns) or bound by
      memory, so a second thread gains nothing, while OpenBLAS's idle threads spin between
      calls (about 0.5 CPU seconds of 3.3 on 1 000 000 rows). One thread also makes the sums
      the same on every machine (a product split over threads rounds with their number).
    - No transparent huge pages for NumPy's large arrays: with the kernel's `madvise` setting
      every fresh 2 MB page of the estimate's arrays may wait for memory to be compacted; on
      1 000 000 rows that doubled the command's system time (0.8 → 1.4–1.7 s).
    """
    import os

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")


# --- entry point ------------------------------------------------------------------------------

COMMANDS = ("esf-indicators", "effect")
#: Django's own options: with any of them the Django command runs instead.
DJANGO_OPTIONS = ("--settings", "--pythonpath", "--traceback", "--verbosity", "-v", "--no-color")


def handles(argv: list[str]) -> bool:
    """Whether `main` runs this command line (else Django does)."""
    import os

    if len(argv) < 2 or argv[1].replace("_", "-") not in COMMANDS:
        return False
    if os.environ.get("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE) != SETTINGS_MODULE:
        return False  # other settings may change the rules: let Django read them
    return not any(a.split("=", 1)[0] in DJANGO_OPTIONS for a in argv[2:])


def main(argv: list[str]) -> int:
    """Run `emplus esf-indicators ...` or `emplus effect ...`; returns the exit status."""
    command = argv[1].replace("_", "-")
    parser = argparse.ArgumentParser(prog=f"emplus {command}")
    if command == "effect":
        parser.description = (
            "Estimate the average effect on the treated (ATT) of a treatment column on an "
            "outcome column of a CSV, XLSX or Parquet file, adjusting for the given covariates."
        )
        add_effect_arguments(parser)
    else:
        parser.description = (
            "Compute the ESF+ common participant indicators (EECO01-17, EECR01-06) of a "
            "participant file (CSV or XLSX)."
        )
        add_indicator_arguments(parser)
    options = vars(parser.parse_args(argv[2:]))
    collecting = gc.isenabled()
    # One command on one file: the library imports and the tens of thousands of warnings and
    # result rows it creates set off Python's cycle collector hundreds of times (0.02–0.07 CPU
    # seconds on the main thread on 1 000 000 rows), for cycles that the end of the process
    # frees anyway. Switched back on for a caller that goes on (tests call `main`).
    gc.disable()
    try:
        if command == "effect":
            _numpy_settings()
            return run_effect(options, stdout=sys.stdout)

        try:
            rules = esf_rules()
        except ValueError as exc:
            raise CommandFailure(f"EMPLUS_ESF_RULES is not a JSON object: {exc}") from None
        return run_indicators(
            options,
            register=_register_without_django,
            rules=rules,
            today=_today_in_sweden,
            stdout=sys.stdout,
            stderr=sys.stderr,
        )
    except CommandFailure as exc:
        sys.stdout.flush()
        sys.stderr.write(f"error: {exc}\n")
        return exc.status
    finally:
        if collecting:
            gc.enable()
