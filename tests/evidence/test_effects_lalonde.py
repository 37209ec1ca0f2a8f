"""A real job-training evaluation: the Lalonde NSW treated against CPS-1 controls.

The randomised NSW experiment gives the benchmark (about $1,794 on 1978 earnings). With the
default matching (docs/decisions/0019-matching-default.md), `emplus effect --method psm` must
come within $500 of it, and its 95 % interval must cover it, both with the eight standard
covariates and with the richer published specification (Dehejia and Wahba's squares,
unemployment indicators and an interaction)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

causaldata = pytest.importorskip("causaldata")

SIMPLE = "age,educ,black,hisp,marr,nodegree,re74,re75"
RICH = SIMPLE + ",age2,educ2,u74,u75,re74sq,re75sq,educ_re74"
DEHEJIA_WAHBA_2002 = "age,age2,age3,educ,educ2,marr,nodegree,black,hisp,re74,re75,u74,u75,educ_re74"


@pytest.fixture(scope="module")
def lalonde(tmp_path_factory):
    import pandas as pd
    from causaldata import cps_mixtape, nsw_mixtape

    nsw = nsw_mixtape.load_pandas().data.drop(columns="data_id")
    cps = cps_mixtape.load_pandas().data.drop(columns="data_id")
    data = pd.concat([nsw[nsw.treat == 1], cps], ignore_index=True)
    data = data.assign(
        age2=data.age**2,
        age3=data.age**3,
        educ2=data.educ**2,
        u74=(data.re74 == 0).astype(int),
        u75=(data.re75 == 0).astype(int),
        re74sq=data.re74**2,
        re75sq=data.re75**2,
        educ_re74=data.educ * data.re74,
    )
    path = tmp_path_factory.mktemp("lalonde") / "nsw_cps.csv"
    data.to_csv(path, index=False)
    means = nsw.groupby("treat").re78.mean()
    return path, float(means[1] - means[0])


def _psm(path, covariates, *extra):
    out = io.StringIO()
    call_command(
        "effect",
        str(path),
        "--treatment",
        "treat",
        "--outcome",
        "re78",
        "--covariates",
        covariates,
        "--method",
        "psm",
        *extra,
        stdout=out,
    )
    return json.loads(out.getvalue())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "covariates", [SIMPLE, RICH, DEHEJIA_WAHBA_2002], ids=["simple", "rich", "dw2002"]
)
def test_psm_on_lalonde_comes_within_500_of_the_experimental_benchmark(lalonde, covariates):
    path, experimental = lalonde
    result = _psm(path, covariates)
    assert 1700 < experimental < 1900
    assert abs(result["estimate"] - experimental) < 500
    assert result["ci_low"] <= experimental <= result["ci_high"]
    assert result["n_treated"] == 185
    # matching must improve balance on every covariate, and the worst is named
    assert all(abs(b["smd_after"]) <= abs(b["smd_before"]) + 0.05 for b in result["balance"])
    worst = max(result["balance"], key=lambda b: abs(b["smd_after"]))
    text = io.StringIO()
    call_command(
        "effect",
        str(path),
        "--treatment",
        "treat",
        "--outcome",
        "re78",
        "--covariates",
        covariates,
        "--format",
        "text",
        "--lang",
        "en",
        stdout=text,
    )
    assert f"Worst balance after adjustment: {worst['covariate']} (SMD " in text.getvalue()


@pytest.mark.django_db
def test_matching_options_reach_the_estimator(lalonde):
    path, _ = lalonde
    default = _psm(path, SIMPLE)
    one = _psm(path, SIMPLE, "--matches", "1", "--no-bias-correction", "--match-on", "score")
    assert one["estimate"] != default["estimate"]
    narrow = _psm(path, SIMPLE, "--caliper", "0.001")
    assert narrow["dropped"]["outside_support"] > default["dropped"]["outside_support"]
