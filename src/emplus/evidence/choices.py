"""Vocabularies of the evidence app: estimate choices and the translated names of indicators,
core data, actors and groupings shown on its pages (and on the methods and test-bed pages)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EstimateStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class EstimateMethod(models.TextChoices):
    PSM = "psm", _("Propensity score matching")
    IPW = "ipw", _("Inverse probability weighting")
    AIPW = "aipw", _("Doubly robust (AIPW)")


class EstimateOutcome(models.TextChoices):
    EXIT_EMPLOYED = "exit_employed", _("In employment upon leaving")
    FOLLOWUP_EMPLOYED = "followup_employed", _("In employment six months after leaving")
    EXIT_IN_EDUCATION = "exit_in_education", _("In education or training upon leaving")


class EstimateCovariate(models.TextChoices):
    AGE = "age_at_entry", _("Age at entry")
    GENDER = "gender", _("Gender")
    ISCED = "isced", _("Highest education (ISCED)")
    LM_STATUS = "lm_status_entry", _("Labour-market status at entry")
    UNEMPLOYED_MONTHS = "unemployed_months", _("Months of unemployment")
    BORN_ABROAD = "born_abroad", _("Born abroad")
    RURAL = "rural", _("Rural area")


class ComparisonKind(models.TextChoices):
    GROUP = "group", _("Another group of participants")
    FILE = "file", _("An uploaded comparison file")


# The spec's indicator names, translated for the page (exports keep the spec's English names).
INDICATOR_LABELS = {
    "EECO01": _("Total number of participants"),
    "EECO02": _("Unemployed, including long-term unemployed"),
    "EECO03": _("Long-term unemployed"),
    "EECO04": _("Inactive"),
    "EECO05": _("Employed, including self-employed"),
    "EECO06": _("Below 18 years of age"),
    "EECO07": _("18 to 29 years of age"),
    "EECO08": _("55 years of age and above"),
    "EECO09": _("Lower secondary education or less (ISCED 0-2)"),
    "EECO10": _("Upper secondary or post-secondary education (ISCED 3-4)"),
    "EECO11": _("Tertiary education (ISCED 5-8)"),
    "EECO12": _("Participants with disabilities"),
    "EECO13": _("Third-country nationals"),
    "EECO14": _("Participants with a foreign background"),
    "EECO15": _("Minorities (including marginalised communities such as Roma)"),
    "EECO16": _("Homeless or affected by housing exclusion"),
    "EECO17": _("Participants from rural areas"),
    "EECR01": _("Engaged in job searching upon leaving"),
    "EECR02": _("In education or training upon leaving"),
    "EECR03": _("Gaining a qualification upon leaving"),
    "EECR04": _("In employment, including self-employment, upon leaving"),
    "EECR05": _("In employment, including self-employment, six months after leaving"),
    "EECR06": _("Improved labour-market situation six months after leaving"),
}
CORE_DATUM_LABELS = {
    "birth_date": _("Birth date"),
    "gender": _("Gender"),
    "lm_status_entry": _("Labour-market status at entry"),
    "isced": _("Highest education (ISCED)"),
    "unemployed_months": _("Months of unemployment (when unemployed)"),
}
ACTOR_LABELS = {
    "municipality": _("Municipality"),
    "region": _("Region"),
    "state": _("State"),
}
GROUP_LABELS = {
    "organisation": _("Organisation"),
    "method": _("Method"),
    "phase": _("Phase"),
    "test_bed": _("Test bed"),
}


def indicator_rows(result) -> list[dict] | None:
    """The (suppressed) indicator rows of a result with their translated names, for
    `evidence/_indicators.html`; None when there is no result."""
    if result is None:
        return None
    return [{"row": row, "label": INDICATOR_LABELS[row.code]} for row in result.indicators]
