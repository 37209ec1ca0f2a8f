"""Small builders of activities, methods and test beds for the mapping tests."""

from __future__ import annotations

import datetime as dt
import itertools

from emplus.mapping.models import Activity
from emplus.methods.models import Method, ThematicArea
from emplus.testbeds.models import TestBed

_numbers = itertools.count(1)


def make_area(code="SPARSE", name="Samverkan i glesbygd"):
    area, _ = ThematicArea.objects.get_or_create(
        code=code, defaults={"name_sv": name, "name_en": name}
    )
    return area


def make_method(code="M-TEST", name="Testmetod", **fields):
    fields.setdefault("phases", ["prepare"])
    fields.setdefault("arenas", ["working_life"])
    return Method.objects.create(code=code, name=name, **fields)


def make_activity(organisation, municipalities, *, arena="working_life", **fields):
    number = next(_numbers)
    fields.setdefault("title", f"Aktivitet {number}")
    fields.setdefault("start_date", dt.date(2025, 1, 1))
    fields.setdefault("phases", ["prepare"])
    fields.setdefault("target_groups", ["young_neet"])
    methods = fields.pop("methods", [])
    areas = fields.pop("thematic_areas", [])
    activity = Activity.objects.create(
        code=f"T-{number:05d}", organisation=organisation, arena=arena, **fields
    )
    activity.municipalities.set(municipalities)
    activity.methods.set(methods)
    activity.thematic_areas.set(areas)
    return activity


def make_test_bed(code="TB-TEST", **fields):
    return TestBed.objects.create(code=code, name=fields.pop("name", "Testbädd"), **fields)
