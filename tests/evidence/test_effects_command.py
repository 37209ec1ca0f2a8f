"""`emplus effect FILE ...`: output, same numbers as the core, exit status 2 on bad input."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from emplus.evidence import commandline
from emplus.evidence_core.effects import estimate_effect
from emplus.evidence_core.testing.effects import COVARIATES, generate_effect_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    data = generate_effect_data(3_000, treated_share=0.2, seed=9)
    path = tmp_path_factory.mktemp("effect") / "table.csv"
    data.frame.write_csv(path)
    return path, data


def _run(*args):
    out = StringIO()
    call_command("effect", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_json_output_equals_the_core_result(table):
    path, data = table
    out = _run(
        path,
        "--treatment",
        "participant",
        "--outcome",
        "earnings",
        "--covariates",
        ",".join(COVARIATES),
        "--method",
        "aipw",
        "--seed",
        "4",
    )
    expected = estimate_effect(
        data.frame.with_columns(),
        treatment="participant",
        outcome="earnings",
        covariates=COVARIATES,
        method="aipw",
        seed=4,
    )
    assert json.loads(out) == json.loads(expected.to_json())


def test_same_seed_same_output_with_bootstrap(table):
    path, _ = table
    args = (
        path,
        "--treatment",
        "participant",
        "--outcome",
        "employed",
        "--covariates",
        ",".join(COVARIATES),
        "--method",
        "ipw",
        "--interval",
        "bootstrap",
        "--bootstrap-reps",
        "25",
        "--seed",
        "7",
    )
    assert _run(*args) == _run(*args)


def test_did_and_caliper_options(table):
    path, data = table
    did = json.loads(
        _run(
            path,
            "--treatment",
            "participant",
            "--outcome",
            "earnings",
            "--outcome-before",
            "earnings_before",
            "--covariates",
            "age,education",
            "--method",
            "did",
        )
    )
    assert did["method"] == "did"
    assert did["ci_low"] <= data.true_att["earnings"] <= did["ci_high"]
    no_caliper = json.loads(
        _run(
            path,
            "--treatment",
            "participant",
            "--outcome",
            "earnings",
            "--covariates",
            "age",
            "--caliper",
            "none",
        )
    )
    assert no_caliper["method"] == "psm"


def test_text_format_has_report_and_summary(table):
    path, _ = table
    out = _run(
        path,
        "--treatment",
        "participant",
        "--outcome",
        "earnings",
        "--covariates",
        ",".join(COVARIATES),
        "--format",
        "text",
        "--lang",
        "en",
    )
    assert "SMD before" in out
    assert "not a score or a prediction" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--treatment", "participant", "--outcome", "earnings", "--covariates", "nope"],
            "not in the table",
        ),
        (
            ["--treatment", "age", "--outcome", "earnings", "--covariates", "female"],
            "must be binary",
        ),
        (
            [
                "--treatment",
                "participant",
                "--outcome",
                "earnings",
                "--method",
                "did",
                "--covariates",
                "age",
            ],
            "outcome before",
        ),
    ],
)
def test_bad_input_is_a_command_error_with_status_2(table, args, message):
    path, _ = table
    with pytest.raises(CommandError, match=message) as error:
        _run(path, *args)
    assert error.value.returncode == 2


def test_fewer_than_five_treated_is_refused_with_status_2(tmp_path):
    data = generate_effect_data(200, treated_share=0.3, seed=1).frame
    few = data.filter(data["participant"] == 0).vstack(
        data.filter(data["participant"] == 1).head(4)
    )
    path = tmp_path / "few.parquet"
    few.write_parquet(path)
    with pytest.raises(CommandError, match="at least 5") as error:
        _run(path, "--treatment", "participant", "--outcome", "earnings", "--covariates", "age")
    assert error.value.returncode == 2


def test_command_line_prints_message_without_traceback_and_exits_2(table):
    path, _ = table
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "emplus.cli",
            "effect",
            str(path),
            "--treatment",
            "age",
            "--outcome",
            "earnings",
            "--covariates",
            "female",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "must be binary" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert completed.stdout == ""


@pytest.mark.parametrize(
    ("variable", "given", "expected"),
    [
        ("OPENBLAS_NUM_THREADS", None, "1"),
        ("OPENBLAS_NUM_THREADS", "4", "4"),
        ("NUMPY_MADVISE_HUGEPAGE", None, "0"),
        ("NUMPY_MADVISE_HUGEPAGE", "1", "1"),
    ],
)
def test_the_file_command_sets_numpys_import_settings_unless_told_otherwise(
    table, monkeypatch, capsys, variable, given, expected
):
    # given no setting, or an explicit one (setenv first, so that the variable is restored,
    # or removed, after the test)
    monkeypatch.setenv(variable, given or "")
    if given is None:
        monkeypatch.delenv(variable)
    path, _ = table
    # when the command runs on a file (without Django, before NumPy would be imported)
    status = commandline.main(
        [
            "emplus",
            "effect",
            str(path),
            "--treatment",
            "participant",
            "--outcome",
            "earnings",
            "--covariates",
            "age",
        ]
    )
    # then it set the variable unless it was set; the result is printed as usual
    assert status == 0
    assert os.environ[variable] == expected
    assert json.loads(capsys.readouterr().out)["method"] == "psm"


@pytest.mark.parametrize("failing", [False, True])
def test_the_file_command_runs_without_the_cycle_collector_and_switches_it_back_on(
    table, monkeypatch, capsys, failing
):
    # given the cycle collector on, and an estimate that looks at it (or fails)
    path, _ = table
    seen = []
    real = commandline.run_effect

    def spy(options, *, stdout):
        seen.append(gc.isenabled())
        if failing:
            raise commandline.CommandFailure("unusable", 2)
        return real(options, stdout=stdout)

    monkeypatch.setattr(commandline, "run_effect", spy)
    assert gc.isenabled()
    # when the command runs on a file
    argv = ["emplus", "effect", str(path), "--treatment", "participant", "--outcome", "earnings"]
    status = commandline.main([*argv, "--covariates", "age"])
    # then the estimate ran without the collector, which is on again afterwards
    assert seen == [False]
    assert status == (2 if failing else 0)
    assert gc.isenabled()
    capsys.readouterr()
