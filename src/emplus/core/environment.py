"""Values the settings take from the environment that the command-line file tools also need.

Plain Python (no Django import), so `emplus esf-indicators` and `emplus effect` can read them
without setting up Django; `emplus.config.settings` uses the same functions.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TIME_ZONE = "Europe/Stockholm"
SETTINGS_MODULE = "emplus.config.settings"


def var_dir() -> Path:
    """var/ holds the SQLite database and local development secrets: beside the source
    checkout when run from one, else in the working directory; EMPLUS_VAR_DIR overrides."""
    checkout = PACKAGE_DIR.parent.parent
    default = checkout / "var" if (checkout / "pyproject.toml").exists() else Path.cwd() / "var"
    return Path(os.environ.get("EMPLUS_VAR_DIR", default)).resolve()


def database_url() -> str:
    """DATABASE_URL, else SQLite (WAL) in var/."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{var_dir() / 'emplus.sqlite3'}"


def esf_rules() -> dict[str, Any]:
    """Overrides of the ESF+ indicator rules (EMPLUS_ESF_RULES, a JSON object)."""
    rules: dict[str, Any] = json.loads(os.environ.get("EMPLUS_ESF_RULES", "{}"))
    return rules
