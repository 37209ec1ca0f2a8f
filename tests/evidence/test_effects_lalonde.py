"""A real job-training evaluation: the Lalonde NSW treated against CPS-1 controls.

The randomised NSW experiment gives the benchmark (about $1,794 on 1978 earnings). With the
eight standard covariates, `emplus effect --method psm` must come close to it and its 95 %
interval must cover it (Dehejia & Wahba 1999 report PSM estimates of $1,500–$1,900)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

causaldata = pytest.importorskip("causaldata")

COVARIATES = "age,educ,black,hisp,marr,nodegree,re74,re75"


@pytest.fixture(scope="module")
def lalonde(tmp_path_factory):
    import pandas as pd
    from causaldata import cps_mixtape, nsw_mixtape

    nsw = nsw_mixtape.load_pandas().data.drop(columns="data_id")
    cps = cps_mixtape.load_pandas().data.drop(columns="data_id")
    observational = pd.concat([nsw[nsw.treat == 1], cps], ignore_index=True)
    path = tmp_path_factory.mktemp("lalonde") / "nsw_cps.csv"
    observational.to_csv(path, index=False)
    means = nsw.groupby("treat").re78.mean()
    return path, float(means[1] - means[0])


@pytest.mark.django_db
def test_psm_on_lalonde_comes_close_to_the_experimental_benchmark(lalonde):
    path, experimental = lalonde
    out = io.StringIO()
    call_command(
        "effect",
        str(path),
        "--treatment",
        "treat",
        "--outcome",
        "re78",
        "--covariates",
        COVARIATES,
        "--method",
        "psm",
        "--seed",
        "1",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert 1700 < experimental < 1900
    assert abs(result["estimate"] - experimental) < 500
    assert result["ci_low"] <= experimental <= result["ci_high"]
    assert result["n_treated"] == 185
    # matching must improve balance on every covariate
    assert all(abs(b["smd_after"]) <= abs(b["smd_before"]) + 0.05 for b in result["balance"])
