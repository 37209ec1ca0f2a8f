"""The file commands pay only for what they use: no Django, and no SciPy/pandas/scikit-learn
unless the work needs them (issue #14 item 6)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest

from emplus import cli
from emplus.evidence import commandline
from emplus.evidence.commandline import add_effect_arguments
from emplus.evidence_core.effects import DEFAULT_CALIPER
from emplus.evidence_core.effects.estimate import DEFAULT_MATCHES

PROBE = """
import sys
from emplus.cli import main
try:
    main(["emplus", *sys.argv[1:]])
except SystemExit as exit:
    status = exit.code
heavy = ("django", "scipy", "sklearn", "pandas", "statsmodels", "numpy", "openpyxl")
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(heavy))
print("LOADED", status, ",".join(loaded), file=sys.stderr)
"""


def _loaded(tmp_path, *args) -> tuple[int, set[str]]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env["EMPLUS_VAR_DIR"] = str(tmp_path / "var")  # no database: the shipped register
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    line = [x for x in done.stderr.splitlines() if x.startswith("LOADED")][-1]
    _, status, modules = (line.split(" ", 2) + [""])[:3]
    return int(status), set(filter(None, modules.split(",")))


def test_esf_indicators_imports_neither_django_nor_numpy(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "participant_ref,organisation,birth_date,gender,entry_date,lm_status_entry,isced\n"
        "P1,ABF,1990-05-01,woman,2025-01-10,inactive,3\n",
        encoding="utf-8",
    )
    status, loaded = _loaded(tmp_path, "esf-indicators", str(path), "--as-of", "2026-06-30")
    assert status == 0
    assert loaded == set()


@pytest.mark.parametrize(("match_on", "scipy"), [("score", False), ("covariates", True)])
def test_effect_imports_no_django_and_scipy_only_for_covariate_matching(tmp_path, match_on, scipy):
    from emplus.evidence_core.testing.effects import generate_effect_data

    path = tmp_path / "t.csv"
    generate_effect_data(400, treated_share=0.3, seed=2).frame.write_csv(path)
    status, loaded = _loaded(
        tmp_path,
        "effect",
        str(path),
        "--treatment",
        "participant",
        "--outcome",
        "earnings",
        "--covariates",
        "age,prior_earnings",
        "--match-on",
        match_on,
    )
    assert status == 0
    assert "django" not in loaded and "sklearn" not in loaded and "pandas" not in loaded
    assert ("scipy" in loaded) == scipy


def test_command_line_defaults_equal_the_estimator_defaults():
    import argparse

    parser = argparse.ArgumentParser()
    add_effect_arguments(parser)
    defaults = vars(parser.parse_args(["f", "--treatment", "t", "--outcome", "o"]))
    assert defaults["matches"] == DEFAULT_MATCHES
    assert defaults["caliper"] == "default" and DEFAULT_CALIPER == 0.2


def test_django_options_send_the_command_through_django():
    from emplus.evidence.commandline import handles

    assert handles(["emplus", "esf-indicators", "f.csv"])
    assert handles(["emplus", "effect", "f.csv"])
    assert not handles(["emplus", "esf-indicators", "f.csv", "--settings", "x"])
    assert not handles(["emplus", "migrate"])


def test_a_file_command_leaves_its_objects_out_of_the_collections_at_exit(monkeypatch):
    # given a file command (stood in for) and no object frozen yet
    gc.unfreeze()
    monkeypatch.setattr(commandline, "main", lambda argv: 3)
    # when `emplus` runs it
    try:
        with pytest.raises(SystemExit) as exit:
            cli.main(["emplus", "effect", "file.csv", "--treatment", "t", "--outcome", "y"])
        # then it exits with the command's status, every object left frozen for the exit
        assert exit.value.code == 3
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
