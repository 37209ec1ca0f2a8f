"""`emplus effect FILE ...`: a counterfactual effect estimate (ATT) on a table file."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from emplus.evidence_core.effects import (
    DEFAULT_CALIPER,
    METHODS,
    EffectInputError,
    estimate_effect,
    plain_language_summary,
    read_table,
)

#: Exit status for unusable input (missing column, non-binary treatment, too few treated).
BAD_INPUT = 2


def _caliper(text: str) -> float | None:
    if text.strip().lower() in {"none", "off", "0"}:
        return None
    return float(text)


class Command(BaseCommand):
    help = (
        "Estimate the average effect on the treated (ATT) of a treatment column on an outcome "
        "column of a CSV, XLSX or Parquet file, adjusting for the given covariates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV (, or ; separated), XLSX or Parquet file")
        parser.add_argument("--treatment", required=True, help="1/0, yes/no, true/false, ja/nej")
        parser.add_argument("--outcome", required=True, help="outcome column (after treatment)")
        parser.add_argument(
            "--covariates",
            default="",
            help="comma-separated covariate columns measured before treatment",
        )
        parser.add_argument("--method", choices=METHODS, default="psm")
        parser.add_argument(
            "--outcome-before",
            default=None,
            help="the outcome measured before treatment (needed by --method did)",
        )
        parser.add_argument(
            "--caliper",
            type=_caliper,
            default=DEFAULT_CALIPER,
            help="psm: caliper in SDs of the logit of the score (default 0.2; 'none' for none)",
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

    def handle(self, *args: object, **options: object) -> None:
        covariates = [c.strip() for c in str(options["covariates"]).split(",") if c.strip()]
        try:
            frame = read_table(str(options["file"]))
            result = estimate_effect(
                frame,
                treatment=str(options["treatment"]),
                outcome=str(options["outcome"]),
                covariates=covariates,
                method=options["method"],  # type: ignore[arg-type]
                outcome_before=options["outcome_before"],  # type: ignore[arg-type]
                caliper=options["caliper"],  # type: ignore[arg-type]
                interval=options["interval"],  # type: ignore[arg-type]
                bootstrap_reps=int(options["bootstrap_reps"]),  # type: ignore[arg-type]
                seed=int(options["seed"]),  # type: ignore[arg-type]
            )
        except EffectInputError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc
        if options["format"] == "json":
            self.stdout.write(result.to_json())
        else:
            summary = plain_language_summary(result, options["lang"])  # type: ignore[arg-type]
            self.stdout.write(result.to_text() + "\n\n" + summary)
