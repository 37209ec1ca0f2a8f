"""The `emplus` console script against a database chosen by DATABASE_URL."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

EMPLUS = Path(sys.executable).with_name("emplus")


def _run(*args, env):
    return subprocess.run(
        [str(EMPLUS), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def sqlite_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env["EMPLUS_VAR_DIR"] = str(tmp_path / "var")
    return env


def test_load_reference_data_through_the_cli_twice(sqlite_env, tmp_path):
    assert _run("migrate", "--verbosity", "0", env=sqlite_env).returncode == 0
    first = _run("load-reference-data", env=sqlite_env)
    assert first.returncode == 0, first.stderr
    assert "Counties: 21, municipalities: 290 (311 created, 0 updated)" in first.stdout
    second = _run("load-reference-data", env=sqlite_env)
    assert "(0 created, 0 updated)" in second.stdout
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        assert db.execute(
            "select count(*), sum(population_2024) from geo_municipality"
        ).fetchone() == (290, 10_587_710)
        assert db.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_unknown_command_fails_cleanly(sqlite_env):
    result = _run("no-such-command", env=sqlite_env)
    assert result.returncode != 0
    assert "Unknown command" in result.stderr


def test_production_refuses_to_start_without_secrets(sqlite_env):
    env = dict(sqlite_env, EMPLUS_ENV="production")
    env.pop("SECRET_KEY", None)
    result = _run("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr
