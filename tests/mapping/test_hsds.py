"""`emplus export-hsds` writes an HSDS 3.0 data package that validates against the HSDS
schemas packaged with the app (a copy of ../shared/data/hsds)."""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from emplus.mapping import hsds
from tests.mapping.factories import make_activity, make_area, make_method

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "hsds"


@pytest.fixture
def activities(org_a, org_b, unit_a1):
    area = make_area()
    method = make_method()
    return [
        make_activity(
            org_a,
            ["2480", "2521"],
            unit=unit_a1,
            methods=[method],
            thematic_areas=[area],
            accessibility="Hiss.",
            contact_phone="010-1",
            contact_email="info@example.org",
            schedule="Tisdagar",
            end_date=dt.date(2025, 6, 30),
        ),
        make_activity(org_b, ["1280"], delivery_mode="digital", arena="education_training"),
    ]


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_packaged_schemas_are_the_shared_hsds_files():
    if not SHARED.exists():
        pytest.skip("no shared HSDS copy next to the repository")
    names = [p.name for p in (SHARED / "schema").glob("*.json")]
    _, mismatch, errors = filecmp.cmpfiles(
        SHARED / "schema", hsds.SCHEMA_DIR / "schema", names, shallow=False
    )
    assert mismatch == [] and errors == []
    assert (hsds.SCHEMA_DIR / "SOURCES.md").exists()


def test_export_writes_a_valid_hsds_package(activities, tmp_path):
    # when
    call_command("export_hsds", output=tmp_path)
    # then
    assert hsds.package_validate(tmp_path) == []
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert descriptor["version"] == "3.0.0"
    assert {r["path"] for r in descriptor["resources"]} >= {
        "organizations.csv",
        "services.csv",
        "locations.csv",
        "service_at_location.csv",
    }
    services = {r["id"]: r for r in _rows(tmp_path / "services.csv")}
    first, second = activities
    assert services[str(first.pk)]["organization_id"] == str(first.organisation_id)
    assert services[str(first.pk)]["status"] == "inactive"
    assert services[str(second.pk)]["status"] == "active"
    locations = {r["location_type"] for r in _rows(tmp_path / "locations.csv")}
    assert locations == {"physical", "virtual"}
    areas = [r for r in _rows(tmp_path / "service_areas.csv") if r["service_id"] == str(first.pk)]
    assert {r["name"] for r in areas} == {"Umeå", "Pajala"}


def test_export_is_stable_between_runs(activities, tmp_path):
    # when
    hsds.package_write(tmp_path / "one")
    hsds.package_write(tmp_path / "two")
    # then: derived identifiers do not change
    for name in ("locations.csv", "attributes.csv", "taxonomy_terms.csv"):
        assert (tmp_path / "one" / name).read_text() == (tmp_path / "two" / name).read_text()


def test_validation_catches_a_broken_package(activities, tmp_path):
    # given a package with a bad status, a bad e-mail and a dangling organisation
    hsds.package_write(tmp_path)
    path = tmp_path / "services.csv"
    rows = _rows(path)
    rows[0]["status"] = "open"
    rows[0]["email"] = "not an address"
    rows[1]["organization_id"] = "00000000-0000-4000-8000-000000000000"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    # when
    errors = hsds.package_validate(tmp_path)
    # then
    text = "\n".join(errors)
    assert "'open' is not one of" in text
    assert "is not a 'email'" in text
    assert "organization_id" in text and "not found in organization" in text


def test_validation_requires_the_tabular_foreign_keys(activities, tmp_path):
    # given a service without its organisation
    hsds.package_write(tmp_path)
    path = tmp_path / "services.csv"
    rows = _rows(path)
    rows[0]["organization_id"] = ""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    # when / then
    assert any(
        "'organization_id' is a required property" in e for e in hsds.package_validate(tmp_path)
    )
