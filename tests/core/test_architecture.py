"""The layers hold: import-linter's contracts pass, function-local imports of project modules
exist only where docs/architecture.md says why, and mypy covers every service and selector."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "emplus"
BIN = Path(sys.executable).parent

# Modules allowed to import project modules inside a function, and why (docs/architecture.md).
LOCAL_IMPORTS_ALLOWED = {
    # `emplus esf-indicators` and `emplus effect` on a file load Polars/NumPy/SciPy only when used
    "emplus/evidence/commandline.py": "start-up cost of the file commands",
    # reads the register through the ORM after `setup()` has configured Django
    "emplus/organisations/register.py": "Django is set up inside the function",
}


def test_import_contracts_are_kept():
    if not (BIN / "lint-imports").exists() and not os.environ.get("CI"):
        pytest.skip("import-linter is not installed: pip install -c requirements.lock -e '.[dev]'")
    # given the contracts in pyproject.toml; when import-linter checks the package
    result = subprocess.run(
        [BIN / "lint-imports", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # then every contract is kept (the output names the broken one and the offending import)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_contract_names_modules_that_exist():
    # A contract on a renamed module would pass vacuously: import-linter fails on unknown
    # modules, so the names must match packages that exist.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert {c["id"] for c in contracts} >= {
        "layers",
        "pure-evidence-core",
        "pure-kernel",
        "no-foreign-views",
        "acyclic",
    }
    layers = next(c for c in contracts if c["id"] == "layers")
    named = {name.strip() for layer in layers["layers"] for name in layer.split("|")}
    apps = {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    assert named == apps, "every app sits in one layer of the contract (and no stale names)"


def _function_local_project_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom):
                names = [inner.module or ""]
            elif isinstance(inner, ast.Import):
                names = [alias.name for alias in inner.names]
            else:
                continue
            if any(name.split(".")[0] == "emplus" for name in names):
                lines.append(inner.lineno)
    return lines


def test_project_modules_are_imported_at_module_level():
    # given every module of the package except migrations and the documented exceptions
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC.parent).as_posix()
        if "/migrations/" in relative or relative in LOCAL_IMPORTS_ALLOWED:
            continue
        if path.name == "apps.py":
            # the app registry's hooks (`ready()`, post_migrate) import once the models load
            continue
        offenders += [f"{relative}:{line}" for line in _function_local_project_imports(path)]
    # then no function hides a dependency (a hidden import is how cycles crept in)
    assert offenders == []


def test_mypy_checks_every_service_and_selector():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    files = set(config["tool"]["mypy"]["files"])
    covered_dirs = {f for f in files if not f.endswith(".py")}
    for path in sorted([*SRC.glob("*/services.py"), *SRC.glob("*/selectors.py")]):
        relative = path.relative_to(ROOT).as_posix()
        assert relative in files or relative.rsplit("/", 1)[0] in covered_dirs, relative


def test_readme_tour_names_every_app():
    # The README's module tour stays true: every package of emplus has a row.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tour = readme.split("## A tour of the modules", 1)[1].split("\n## ", 1)[0]
    apps = sorted(p.name for p in SRC.iterdir() if (p / "__init__.py").exists())
    missing = [a for a in apps if f"src/emplus/{a}`" not in tour and f"`{a}`" not in tour]
    assert missing == []


def test_every_pure_core_module_is_under_the_contract():
    # A new `*_core` module (or package) is pure by its name: the contract must cover it.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(
        c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "pure-evidence-core"
    )
    cores = {
        ".".join(p.relative_to(SRC.parent).with_suffix("").parts)
        for p in SRC.rglob("*_core*")
        if (p.suffix == ".py" or (p / "__init__.py").exists()) and "/migrations/" not in str(p)
    }
    assert cores and cores <= set(contract["source_modules"])


def test_views_read_through_selectors():
    # Reads are selectors: a view module never starts a query of its own (`Model.objects`),
    # so every read of a page is found, scoped and audited in one place.
    offenders = []
    for path in sorted([*SRC.glob("*/views.py"), *SRC.glob("*/views/*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [
            f"{path.relative_to(SRC.parent).as_posix()}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and node.attr in {"objects", "_default_manager", "_base_manager"}
        ]
    assert offenders == []


CHOICE_BASES = {"TextChoices", "IntegerChoices", "Choices"}


def test_choices_live_in_choices_modules():
    # Each app's vocabularies are in its choices.py (the roles stay with their permission table).
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC.parent).as_posix()
        if (
            path.name == "choices.py"
            or "/migrations/" in relative
            or relative == "emplus/core/roles.py"
        ):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                getattr(base, "attr", getattr(base, "id", "")) in CHOICE_BASES
                for base in node.bases
            ):
                offenders.append(f"{relative}:{node.lineno} {node.name}")
    assert offenders == []


def test_svg_is_drawn_only_by_the_drawing_kit():
    # Chart geometry lives in the apps' charts.py/maps.py, and only core.svg writes SVG markup.
    markup = ("<svg", "viewBox", "<polyline", "<rect", "<circle", "<path")
    writers = sorted(
        path.relative_to(SRC.parent).as_posix()
        for path in SRC.rglob("*.py")
        if any(tag in path.read_text(encoding="utf-8") for tag in markup)
    )
    assert writers == ["emplus/core/svg.py"]
