"""Activities as an Open Referral HSDS 3.0 data package (CSV tables plus datapackage.json), and
a validator of such a package against the HSDS JSON Schemas kept as package data.

Organisations become HSDS organizations, activities services, the places where they run
locations (virtual for digital ones), municipalities served service areas, and arenas, phases,
target groups and thematic areas taxonomy terms linked to services through attributes.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import uuid
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone

from emplus.core.choices import Arena, Phase, TargetGroup
from emplus.core.export_cells import safe_row
from emplus.mapping.choices import DeliveryMode
from emplus.mapping.models import Activity
from emplus.methods.models import ThematicArea

SCHEMA_DIR = Path(__file__).with_name("hsds_schema")
# Derived identifiers (locations, terms, ...) are UUID 5 in this namespace: stable between runs.
NAMESPACE = uuid.UUID("5b0f3c1e-8d57-4b8e-9a43-2f6c0e5d7a10")
TABLES = [
    "organization",
    "service",
    "location",
    "service_at_location",
    "accessibility",
    "phone",
    "schedule",
    "service_area",
    "taxonomy",
    "taxonomy_term",
    "attribute",
]


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


@cache
def datapackage() -> dict:
    return json.loads((SCHEMA_DIR / "datapackage.json").read_text(encoding="utf-8"))


def _resources() -> dict[str, dict]:
    return {r["name"]: r for r in datapackage()["resources"]}


def _taxonomies() -> list[tuple[str, str, list[tuple[str, str]]]]:
    areas = [(a.code, a.name_sv) for a in ThematicArea.objects.order_by("order")]
    return [
        ("arena", "EMPLOYMENT+ arenor", [(v, str(label)) for v, label in Arena.choices]),
        (
            "phase",
            "EMPLOYMENT+ faser i den individuella vägen",
            [(v, str(lbl)) for v, lbl in Phase.choices],
        ),
        (
            "target_group",
            "EMPLOYMENT+ målgrupper",
            [(v, str(lbl)) for v, lbl in TargetGroup.choices],
        ),
        ("thematic_area", "EMPLOYMENT+ tematiska områden", areas),
    ]


def hsds_tables(activities: Iterable[Activity], *, today: dt.date | None = None) -> dict[str, list]:
    """Rows of each HSDS table as dicts of JSON values; absent values are left out."""
    today = today or timezone.localdate()
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    terms: dict[tuple[str, str], str] = {}
    for key, name, values in _taxonomies():
        taxonomy_id = _id("taxonomy", key)
        tables["taxonomy"].append(
            {"id": taxonomy_id, "name": name, "description": f"{name} ({key})"}
        )
        for code, label in values:
            terms[(key, code)] = _id("term", key, code)
            tables["taxonomy_term"].append(
                {
                    "id": terms[(key, code)],
                    "code": code,
                    "name": label,
                    "description": label,
                    "taxonomy": key,
                    "taxonomy_id": taxonomy_id,
                    "language": "sv",
                }
            )
    organisations = {}
    for a in activities:
        org = a.organisation
        if org.pk not in organisations:
            organisations[org.pk] = org
            row = {"id": str(org.pk), "name": org.name, "description": org.description or org.name}
            if org.website:
                row["website"] = org.website
            tables["organization"].append(row)
        service_id = str(a.pk)
        service = {
            "id": service_id,
            "organization_id": str(org.pk),
            "name": a.title,
            "description": a.description or a.title,
            "status": "inactive" if a.end_date and a.end_date < today else "active",
            "last_modified": a.updated_at.isoformat(),
        }
        if a.contact_email:
            service["email"] = a.contact_email
        if a.capacity:
            service["application_process"] = f"{a.capacity} platser"
        tables["service"].append(service)
        virtual = a.delivery_mode == DeliveryMode.DIGITAL
        location_id = _id("location", a.pk)
        home = a.unit.municipality if a.unit_id else None
        location = {
            "id": location_id,
            "location_type": "virtual" if virtual else "physical",
            "organization_id": str(org.pk),
            "name": a.place or a.title,
        }
        if home is not None and not virtual:
            location.update(
                latitude=home.label_lat,
                longitude=home.label_lon,
                external_identifier=home.code,
                external_identifier_type="SCB kommunkod",
            )
        tables["location"].append(location)
        sal_id = _id("service_at_location", a.pk)
        tables["service_at_location"].append(
            {"id": sal_id, "service_id": service_id, "location_id": location_id}
        )
        if a.accessibility:
            tables["accessibility"].append(
                {
                    "id": _id("accessibility", a.pk),
                    "location_id": location_id,
                    "description": a.accessibility,
                }
            )
        if a.contact_phone:
            tables["phone"].append(
                {"id": _id("phone", a.pk), "service_id": service_id, "number": a.contact_phone}
            )
        schedule = {
            "id": _id("schedule", a.pk),
            "service_id": service_id,
            "valid_from": a.start_date.isoformat(),
        }
        if a.end_date:
            schedule["valid_to"] = a.end_date.isoformat()
        if a.schedule:
            schedule["description"] = a.schedule
        tables["schedule"].append(schedule)
        for m in a.municipalities.all():
            tables["service_area"].append(
                {
                    "id": _id("service_area", a.pk, m.code),
                    "service_id": service_id,
                    "name": m.name,
                    "description": f"Kommun {m.code}",
                }
            )
        links = [("arena", a.arena)]
        links += [("phase", p) for p in a.phases]
        links += [("target_group", g) for g in a.target_groups]
        links += [("thematic_area", t.code) for t in a.thematic_areas.all()]
        for key, code in links:
            if (key, code) in terms:
                tables["attribute"].append(
                    {
                        "id": _id("attribute", a.pk, key, code),
                        "link_id": service_id,
                        "link_type": key,
                        "link_entity": "service",
                        "taxonomy_term_id": terms[(key, code)],
                    }
                )
    return tables


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def package_write(output: Path, activities: Iterable[Activity] | None = None) -> dict[str, int]:
    """Write datapackage.json and one CSV per table into `output`; returns rows per table."""
    if activities is None:
        activities = (
            Activity.objects.select_related("organisation", "unit__municipality")
            .prefetch_related("municipalities", "thematic_areas")
            .order_by("code")
        )
    tables = hsds_tables(activities)
    output.mkdir(parents=True, exist_ok=True)
    resources = _resources()
    descriptor = {k: v for k, v in datapackage().items() if k != "resources"}
    descriptor.update(
        name="emplus-activities",
        title="EMPLOYMENT+ activities (HSDS 3.0)",
        created=timezone.now().isoformat(timespec="seconds"),
        resources=[],
    )
    counts = {}
    for name in TABLES:
        resource = copy.deepcopy(resources[name])
        fields = [f["name"] for f in resource["schema"]["fields"]]
        with (output / resource["path"]).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(fields)
            for row in tables[name]:
                writer.writerow(safe_row(_cell(row.get(f)) for f in fields))
        descriptor["resources"].append(resource)
        counts[name] = len(tables[name])
    (output / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return counts


# --- validation -------------------------------------------------------------------------------


@cache
def _registry():
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = []
    for path in sorted((SCHEMA_DIR / "schema").glob("*.json")):
        if path.name == "openapi.json":
            continue
        schema = json.loads(path.read_text(encoding="utf-8"))
        schema["$id"] = f"https://hsds.invalid/schema/{path.name}"
        resources.append((schema["$id"], Resource.from_contents(schema, DRAFT202012)))
    return Registry().with_resources(resources)


def _table_validator(name: str):
    from jsonschema import Draft202012Validator

    schema = dict(_registry().contents(f"https://hsds.invalid/schema/{name}.json"))
    # The tabular form also requires the foreign keys listed in tabular_required.
    schema["required"] = sorted(
        set(schema.get("required", [])) | set(schema.get("tabular_required", []))
    )
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _typed(value: str, field_type: str) -> Any:
    if field_type == "number":
        number = float(value)
        return int(number) if number.is_integer() else number
    return value


def package_validate(directory: Path) -> list[str]:
    """Errors of an HSDS CSV data package: descriptor, columns, every row against its table's
    JSON Schema (with formats), unique ids and foreign keys. An empty list means valid."""
    errors: list[str] = []
    descriptor_path = directory / "datapackage.json"
    if not descriptor_path.exists():
        return ["datapackage.json is missing"]
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    reference = _resources()
    ids: dict[str, set[str]] = {}
    rows_by_table: dict[str, list[dict]] = {}
    for resource in descriptor.get("resources", []):
        name = resource.get("name")
        if name not in reference or resource.get("path") != reference[name]["path"]:
            errors.append(f"{name}: not an HSDS 3.0 resource")
            continue
        types = {f["name"]: f["type"] for f in reference[name]["schema"]["fields"]}
        path = directory / resource["path"]
        if not path.exists():
            errors.append(f"{resource['path']}: missing")
            continue
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            unknown = set(reader.fieldnames or []) - set(types)
            if unknown:
                errors.append(f"{resource['path']}: unknown columns {sorted(unknown)}")
            validator = _table_validator(name)
            rows = []
            for line, raw in enumerate(reader, start=2):
                try:
                    row = {k: _typed(v, types[k]) for k, v in raw.items() if v != "" and k in types}
                except ValueError as exc:
                    errors.append(f"{resource['path']}:{line}: {exc}")
                    continue
                for error in validator.iter_errors(row):
                    errors.append(f"{resource['path']}:{line}: {error.message}")
                rows.append(row)
        rows_by_table[name] = rows
        seen = [r.get("id") for r in rows]
        if len(seen) != len(set(seen)):
            errors.append(f"{resource['path']}: duplicate ids")
        ids[name] = set(seen)
    for name, rows in rows_by_table.items():
        for fk in reference[name]["schema"].get("foreignKeys", []):
            field, target = fk["fields"], fk["reference"]["resource"]
            for row in rows:
                value = row.get(field)
                if value is not None and value not in ids.get(target, set()):
                    errors.append(f"{name}.{field}: {value} not found in {target}")
    return errors
