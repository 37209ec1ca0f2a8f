"""The form that starts an effect estimate from the page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from emplus.core.uploads import too_large_message
from emplus.evidence.estimates import GROUP_KEYS, read_comparison_upload
from emplus.evidence.models import (
    ComparisonKind,
    EstimateCovariate,
    EstimateMethod,
    EstimateOutcome,
)
from emplus.evidence_core.effects import EffectInputError

ANY = [("", _("Any"))]


class EffectEstimateForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=EstimateOutcome.choices)
    method = forms.ChoiceField(
        label=_("Method"), choices=EstimateMethod.choices, initial=EstimateMethod.PSM
    )
    covariates = forms.MultipleChoiceField(
        label=_("Covariates (entry characteristics)"),
        choices=EstimateCovariate.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[c for c, _label in EstimateCovariate.choices if c != "rural"],
    )
    seed = forms.IntegerField(label=_("Seed"), min_value=0, max_value=2**31 - 1, initial=0)
    comparison_kind = forms.ChoiceField(
        label=_("Comparison group"),
        choices=ComparisonKind.choices,
        widget=forms.RadioSelect,
        initial=ComparisonKind.GROUP,
    )
    comparison_file = forms.FileField(
        label=_("Comparison file (CSV or XLSX)"),
        required=False,
        help_text=_(
            "One row per person, with the outcome and covariate columns named as in the "
            "participant file, age_at_entry in years."
        ),
    )

    def __init__(self, *args, viewer, choices: dict, upload_refused: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.upload_refused = upload_refused  # the upload handler left an oversized file out
        self.comparison_rows: list[dict[str, Any]] = []
        org_choices = [(o.code, o.name) for o in choices["organisations"]]
        options = {
            "organisation": (_("Organisation"), ANY + org_choices),
            "method": (_("Method"), ANY + [(m.code, str(m)) for m in choices["methods"]]),
            "county": (_("County"), ANY + [(c.code, c.name) for c in choices["counties"]]),
            "test_bed": (_("Test bed"), ANY + [(t.code, str(t)) for t in choices["test_beds"]]),
        }
        if not choices["can_choose_all"] and len(org_choices) == 1:
            # Without the partnership permission a group stays inside one's own organisation.
            options["organisation"] = (_("Organisation"), org_choices)
        for prefix in ("treated", "comparison"):
            for key in GROUP_KEYS:
                label, field_choices = options[key]
                self.fields[f"{prefix}_{key}"] = forms.ChoiceField(
                    label=label, choices=field_choices, required=False
                )

    def group(self, prefix: str) -> dict:
        return {k: self.cleaned_data.get(f"{prefix}_{k}") or "" for k in GROUP_KEYS}

    def treated_fields(self):
        return [self[f"treated_{k}"] for k in GROUP_KEYS]

    def comparison_fields(self):
        return [self[f"comparison_{k}"] for k in GROUP_KEYS]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        treated = self.group("treated")
        if not any(treated.values()):
            self.add_error(None, _("Choose at least one characteristic of the treated group."))
        if data.get("comparison_kind") == ComparisonKind.FILE:
            upload = data.get("comparison_file")
            if self.upload_refused or (
                upload is not None and upload.size > settings.EMPLUS_UPLOAD_MAX_BYTES
            ):
                self.add_error("comparison_file", too_large_message())
            elif upload is None:
                self.add_error("comparison_file", _("Choose a comparison file."))
            else:
                columns = [data["outcome"], *data["covariates"]]
                try:
                    self.comparison_rows = read_comparison_upload(
                        upload.name, upload.read(), columns
                    )
                except EffectInputError as exc:
                    self.add_error("comparison_file", str(exc))
        elif self.group("comparison") == treated:
            self.add_error(None, _("The comparison group must differ from the treated group."))
        return data

    def estimate_values(self) -> dict[str, Any]:
        """The inputs of `services.effect_estimate_start`."""
        data = self.cleaned_data
        return {
            "treatment": self.group("treated"),
            "comparison_kind": data["comparison_kind"],
            "comparison": self.group("comparison"),
            "comparison_rows": self.comparison_rows,
            "outcome": data["outcome"],
            "covariates": list(data["covariates"]),
            "method": data["method"],
            "seed": data["seed"],
        }
