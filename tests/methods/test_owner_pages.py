"""Methods, test beds and thematic areas kept by their owners through pages (issue 11, item 5):
a coordinator releases method versions without the admin, earlier versions stay as they were,
another organisation's coordinator cannot edit, the administrator keeps the thematic areas."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from emplus.core.models import AuditEvent
from emplus.methods import services
from emplus.methods.models import Method, MethodVersion, ThematicArea
from emplus.testbeds.models import TestBed as Bed
from tests.audited import assert_audited_in_one_transaction

pytestmark = pytest.mark.django_db

METHOD_FORM_DATE = dt.date(2026, 2, 1)
METHOD_FORM = {
    "name": "Samtalspromenader",
    "purpose": "Samtal i rörelse",
    "phases": ["mobilise"],
    "arenas": ["working_life"],
    "steps": "Träffas\nGå",
    "resources": "",
    "evidence_level": "1",
    "version": "1.0",
    "released_on": "2026-01-10",
    "change_note": "Första beskrivningen.",
}


@pytest.fixture
def areas(db):
    services.thematic_area_reference_load()
    return {a.code: a for a in ThematicArea.objects.all()}


def _create(client, org, **changes):
    data = {**METHOD_FORM, "owner": str(org.pk), "code": "M-PROMENAD", **changes}
    return client.post("/methods/new/", data)


def test_reference_data_load_has_the_eight_areas_and_is_idempotent(geo):
    # given a fresh, migrated database without demo data
    assert not ThematicArea.objects.exists()
    # when the reference data is loaded twice
    call_command("load_reference_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    renamed = ThematicArea.objects.get(code="GIG")
    renamed.name_sv = "Gigekonomin"
    renamed.save()
    call_command("load_reference_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # then the eight areas are there, in Swedish and English, and an edit stands
    rows = list(ThematicArea.objects.order_by("order").values_list("code", "name_en"))
    assert len(rows) == 8
    assert rows[0] == ("INCLUSION", "Inclusion methods")
    assert ThematicArea.objects.get(code="GIG").name_sv == "Gigekonomin"


def test_coordinator_creates_a_method_and_releases_a_version_without_the_admin(
    client, coordinator, org_a, areas
):
    client.force_login(coordinator)
    # when the coordinator creates a method
    response = _create(client, org_a, thematic_areas=[str(areas["INCLUSION"].pk)])
    assert response.status_code == 302
    method = Method.objects.get(code="M-PROMENAD")
    assert list(method.owners.all()) == [org_a]
    first = method.versions.get()
    assert first.content["name"] == "Samtalspromenader"
    # and releases version 1.1 with a new name
    edit = client.get("/methods/M-PROMENAD/edit/")
    assert edit.status_code == 200
    response = client.post(
        "/methods/M-PROMENAD/edit/",
        {**METHOD_FORM, "name": "Promenadsamtal", "version": "1.1", "change_note": "Nytt namn"},
    )
    assert response.status_code == 302
    # then the method shows the new content and version 1.0 is kept unchanged
    method.refresh_from_db()
    assert method.name == "Promenadsamtal"
    first.refresh_from_db()
    assert first.content["name"] == "Samtalspromenader"
    assert sorted(method.versions.values_list("version", flat=True)) == ["1.0", "1.1"]
    assert AuditEvent.objects.filter(action="method.version_released").count() == 1


def test_a_version_number_is_never_reused(client, coordinator, org_a, areas):
    client.force_login(coordinator)
    _create(client, org_a)
    # when the coordinator saves again as 1.0
    response = client.post("/methods/M-PROMENAD/edit/", {**METHOD_FORM, "name": "Annat"})
    # then the form names the version field and nothing changed
    assert response.status_code == 200
    assert "Version 1.0 finns redan" in response.content.decode()
    assert Method.objects.get(code="M-PROMENAD").name == "Samtalspromenader"
    assert MethodVersion.objects.get().content["name"] == "Samtalspromenader"


def test_other_organisations_coordinator_cannot_edit_the_method(
    client, coordinator, other_org_coordinator, org_a, org_b, areas, coach
):
    client.force_login(coordinator)
    _create(client, org_a)
    # a coordinator of B gets 404 on A's method and cannot create one for A
    client.force_login(other_org_coordinator)
    assert client.get("/methods/M-PROMENAD/edit/").status_code == 404
    response = client.post("/methods/M-PROMENAD/edit/", {**METHOD_FORM, "version": "9"})
    assert response.status_code == 404
    response = _create(client, org_a, code="M-INTRANG")
    assert response.status_code == 200  # A is not a choice for B's coordinator
    assert not Method.objects.filter(code="M-INTRANG").exists()
    # a coach may not edit methods at all
    client.force_login(coach)
    assert client.get("/methods/new/").status_code == 403
    # and the service refuses too
    with pytest.raises(PermissionDenied):
        services.method_version_release(
            actor=other_org_coordinator,
            method=Method.objects.get(code="M-PROMENAD"),
            version="2.0",
            released_on=METHOD_FORM_DATE,
            change_note="x",
        )


def test_method_release_is_audited_in_its_transaction(coordinator, org_a, areas):
    method = services.method_create(
        actor=coordinator,
        owner=org_a,
        code="M-AUDIT",
        version="1.0",
        released_on=METHOD_FORM_DATE,
        change_note="Första",
        name="Granskad",
    )
    assert_audited_in_one_transaction(
        lambda: services.method_version_release(
            actor=coordinator,
            method=method,
            version="1.1",
            released_on=METHOD_FORM_DATE,
            change_note="Andra",
            name="Granskad 2",
        ),
        action="method.version_released",
        state=lambda: method.versions.count(),
    )


def test_only_the_administrator_edits_thematic_areas(client, admin_user, coordinator, areas):
    client.force_login(coordinator)
    assert client.get("/methods/thematic-areas/GIG/edit/").status_code == 403
    client.force_login(admin_user)
    response = client.post(
        "/methods/thematic-areas/GIG/edit/",
        {"name_sv": "Gigekonomi", "name_en": "Gig economy", "description": "", "order": "6"},
    )
    assert response.status_code == 302
    assert ThematicArea.objects.get(code="GIG").name_en == "Gig economy"
    assert AuditEvent.objects.filter(action="thematic_area.changed").count() == 1
    # a missing name is named on the form
    response = client.post(
        "/methods/thematic-areas/GIG/edit/",
        {"name_sv": "", "name_en": "Gig", "description": "", "order": "6"},
    )
    assert response.status_code == 200
    assert "Name (Swedish)" in response.content.decode() or "name_sv" in response.content.decode()


def test_coordinator_creates_and_edits_a_test_bed_with_goals(
    client, coordinator, other_org_coordinator, org_a, org_b, areas
):
    client.force_login(coordinator)
    data = {
        "code": "TB-NY",
        "name": "Ny testbädd",
        "lead_organisation": str(org_a.pk),
        "partners": [str(org_b.pk)],
        "municipalities": ["2480"],
        "thematic_areas": [str(areas["SPARSE"].pk)],
        "description": "",
        "target_group": "",
        "start_date": "2026-01-01",
        "end_date": "2025-01-01",
    }
    # an end before the start is named on the form
    response = client.post("/testbeds/new/", data)
    assert response.status_code == 200
    assert not Bed.objects.exists()
    response = client.post("/testbeds/new/", {**data, "end_date": "2026-12-31"})
    assert response.status_code == 302
    bed = Bed.objects.get(code="TB-NY")
    assert [m.code for m in bed.municipalities.all()] == ["2480"]
    response = client.post(
        "/testbeds/TB-NY/edit/", {**data, "name": "Omdöpt", "end_date": "2026-12-31"}
    )
    assert response.status_code == 302
    assert Bed.objects.get(code="TB-NY").name == "Omdöpt"
    event = AuditEvent.objects.filter(action="test_bed.changed").get()
    assert event.details["fields"] == ["name"]
    response = client.post(
        "/testbeds/TB-NY/goals/", {"goal-goal": "Fler i arbete", "goal-indicator": "EECR04"}
    )
    assert response.status_code == 302
    assert bed.goals.get().indicator == "EECR04"
    # the other organisation's coordinator, a partner only, cannot edit
    client.force_login(other_org_coordinator)
    assert client.get("/testbeds/TB-NY/edit/").status_code == 404
    assert client.post("/testbeds/TB-NY/goals/", {"goal-goal": "x"}).status_code == 404
