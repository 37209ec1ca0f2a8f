"""The consortium builder (issue 11, item 4): suggested partners with reasons, a draft with
partners whose budget shares add up to at most 100 %, its history, and the annex read back."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from emplus.calls import selectors, services
from emplus.calls.models import Call, Consortium, ConsortiumEvent
from emplus.core.models import AuditEvent
from emplus.evidence.choices import EstimateMethod, EstimateOutcome, EstimateStatus
from emplus.evidence.models import EffectEstimate
from emplus.geo.models import Municipality
from emplus.methods.models import Method, ThematicArea
from emplus.methods.services import thematic_area_reference_load
from tests.audited import assert_audited_in_one_transaction
from tests.calls.test_calls import make_call
from tests.factories import (
    ActivityFactory,
    EnrolmentFactory,
    MethodFactory,
    OrganisationFactory,
    ParticipantFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(coordinator, org_a, org_b):
    thematic_area_reference_load()
    call = make_call(coordinator, org_a, title="Inkludering i Västerbotten", funder="esf_plus")
    call.themes.set([ThematicArea.objects.get(code="INCLUSION")])
    call.target_regions.set(["24"])
    method = MethodFactory(code="M-IDROTT", name="Idrott som väg in", evidence_level=2)
    method.thematic_areas.set([ThematicArea.objects.get(code="INCLUSION")])
    method.owners.set([org_b])
    ActivityFactory(
        organisation=org_b,
        title="Jobbspår Umeå",
        municipalities=[Municipality.objects.get(code="2480")],
    )
    return call


def test_suggested_partners_give_their_reasons(client, coordinator, org_b, call):
    client.force_login(coordinator)
    response = client.get(f"/calls/{call.pk}/partners/")
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index("Organisation B") :]
    row = row[: row.index("</tr>")]
    assert "Idrott som väg in" in row  # a method in the call's theme, with its evidence level
    assert "1 aktiviteter i 1 kommuner" in row or "1 activities" in row  # presence in region 24


def test_lead_drafts_a_consortium_with_history_and_a_capped_budget(
    client, coordinator, org_a, org_b, call
):
    client.force_login(coordinator)
    response = client.post(
        f"/calls/{call.pk}/consortia/",
        {"consortium-lead_organisation": str(org_a.pk), "consortium-title": "Västerbottensspåret"},
    )
    assert response.status_code == 302
    consortium = Consortium.objects.get()
    assert [p.organisation for p in consortium.partners.all()] == [org_a]  # the lead
    url = f"/calls/consortia/{consortium.pk}/partners/"
    response = client.post(
        url,
        {
            "partner-organisation": str(org_b.pk),
            "partner-role": "partner",
            "partner-contact": "Kim Kontakt",
            "partner-letter_of_intent": "requested",
            "partner-budget_share": "60",
        },
    )
    assert response.status_code == 302
    lead = consortium.partners.get(organisation=org_a)
    # a share that would take the total over 100 % is refused, naming the field
    response = client.post(
        f"/calls/consortia/{consortium.pk}/partners/{lead.pk}/",
        {"role": "lead", "letter_of_intent": "received", "budget_share": "50"},
    )
    assert response.status_code == 200
    assert (
        "110" in response.content.decode()
        and 'href="#id_budget_share"' in response.content.decode()
    )
    lead.refresh_from_db()
    assert lead.budget_share == 0
    response = client.post(
        f"/calls/consortia/{consortium.pk}/partners/{lead.pk}/",
        {"role": "lead", "letter_of_intent": "received", "budget_share": "40"},
    )
    assert response.status_code == 302
    actions = list(consortium.history.order_by("occurred_at").values_list("action", flat=True))
    assert actions == ["created", "partner_added", "partner_added", "partner_changed"]
    page = client.get(f"/calls/consortia/{consortium.pk}/").content.decode()
    assert "Kim Kontakt" in page and "100" in page
    assert AuditEvent.objects.filter(action="consortium.partner_added").count() == 2


def test_history_shows_a_dash_for_an_event_whose_user_is_gone(client, coordinator, org_a, call):
    # given a consortium whose first event's user has since been deleted (the key is SET_NULL,
    # as in the demo's own history, which has no user)
    consortium = services.consortium_create(
        actor=coordinator, call=call, lead_organisation=org_a, title="Historikspåret"
    )
    ConsortiumEvent.objects.filter(consortium=consortium).update(actor=None)
    client.force_login(coordinator)
    # when the lead opens the draft, then it is shown, the event by "–" (it was a server error)
    response = client.get(f"/calls/consortia/{consortium.pk}/")
    assert response.status_code == 200
    history = response.content.decode().split("<tbody>")[-1]
    assert "<td>–</td>" in history


def test_annex_opens_as_pdf_and_xlsx_in_swedish_and_english(
    client, coordinator, org_a, org_b, call
):
    consortium = services.consortium_create(
        actor=coordinator, call=call, lead_organisation=org_a, title="Annexspåret"
    )
    services.consortium_partner_add(
        actor=coordinator,
        consortium=consortium,
        organisation=org_b,
        role="partner",
        role_description="Idrottsaktiviteter",
        budget_share=Decimal("30"),
    )
    client.force_login(coordinator)
    response = client.get(f"/calls/consortia/{consortium.pk}/annex.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Annexspåret" in text
    assert "Organisation B" in text and "Medsökande" in text
    assert "Idrott som väg in" in text  # methods and evidence
    assert "Västerbottens län" in text  # regional presence
    english = client.get(f"/calls/consortia/{consortium.pk}/annex.pdf?lang=en")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(english.content)).pages)
    assert "Co-applicant" in text and "Regional presence" in text
    response = client.get(f"/calls/consortia/{consortium.pk}/annex.xlsx")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    cells = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c]
    assert "Organisation B" in cells and "Idrottsaktiviteter" in cells
    assert client.get(f"/calls/consortia/{consortium.pk}/annex.docx").status_code == 404
    assert AuditEvent.objects.filter(action="consortium.annex_exported").count() == 3


def test_other_organisation_reaches_no_consortium_of_others(
    client, coordinator, other_org_coordinator, coach, org_a, org_b, call
):
    consortium = services.consortium_create(
        actor=coordinator, call=call, lead_organisation=org_a, title="Hemligt spår"
    )
    client.force_login(other_org_coordinator)
    assert client.get(f"/calls/consortia/{consortium.pk}/").status_code == 404
    assert client.get(f"/calls/consortia/{consortium.pk}/annex.pdf").status_code == 404
    assert "Hemligt spår" not in client.get(f"/calls/{call.pk}/partners/").content.decode()
    response = client.post(
        f"/calls/consortia/{consortium.pk}/partners/",
        {"partner-organisation": str(org_b.pk), "partner-role": "partner"},
    )
    assert response.status_code == 404
    response = client.post(
        f"/calls/{call.pk}/consortia/",
        {"consortium-lead_organisation": str(org_a.pk), "consortium-title": "Kapning"},
    )
    assert response.status_code == 400  # A is not a choice for B's coordinator
    with pytest.raises(PermissionDenied):
        services.consortium_partner_add(
            actor=other_org_coordinator, consortium=consortium, organisation=org_b, role="partner"
        )
    client.force_login(coach)
    assert client.get(f"/calls/{call.pk}/partners/").status_code == 403
    assert ConsortiumEvent.objects.count() == 2  # created, lead added


def test_lead_stays_and_partner_add_is_audited_in_its_transaction(coordinator, org_a, org_b, call):
    consortium = services.consortium_create(
        actor=coordinator, call=call, lead_organisation=org_a, title="Spår"
    )
    assert_audited_in_one_transaction(
        lambda: services.consortium_partner_add(
            actor=coordinator, consortium=consortium, organisation=org_b, role="partner"
        ),
        action="consortium.partner_added",
        state=lambda: consortium.partners.count(),
    )
    with pytest.raises(Exception, match="ligger kvar"):
        services.consortium_partner_remove(
            actor=coordinator, partner=consortium.partners.get(organisation=org_a)
        )


def _covering_organisation(number: int, analyst_org):
    """An organisation that covers the call: an activity in Västerbotten, a method of its own
    in the call's theme with an enrolled participant, and a done effect estimate of it."""
    organisation = OrganisationFactory(code=f"COVER{number}", municipality_id="2480")
    ActivityFactory(
        organisation=organisation, municipalities=[Municipality.objects.get(code="2480")]
    )
    method = MethodFactory(code=f"M-COVER{number}", name=f"Metod {number}")
    method.thematic_areas.set([ThematicArea.objects.get(code="INCLUSION")])
    method.owners.set([organisation])
    participant = ParticipantFactory(unit=UnitFactory(organisation=organisation))
    EnrolmentFactory(participant=participant, method=method)
    EffectEstimate.objects.create(
        organisation=analyst_org,
        treatment={"organisation": organisation.code, "method": "", "county": ""},
        comparison={},
        outcome=EstimateOutcome.values[0],
        covariates=[],
        method=EstimateMethod.PSM,
        status=EstimateStatus.DONE,
    )
    return organisation


def test_suggestions_read_a_constant_number_of_queries_however_many_organisations(
    client, coordinator, org_a, call, django_assert_max_num_queries
):
    # given two organisations that cover the call
    for number in range(2):
        _covering_organisation(number, org_a)
    call = Call.objects.get(pk=call.pk)
    with CaptureQueriesContext(connection) as few:
        selectors.partner_suggestions(viewer=coordinator, call=call)
    # when six more join them
    for number in range(2, 8):
        _covering_organisation(number, org_a)
    call = Call.objects.get(pk=call.pk)
    with CaptureQueriesContext(connection) as many:
        suggestions = selectors.partner_suggestions(viewer=coordinator, call=call)
    # then the selector reads as many queries as before, and every reason is still there
    assert len(many.captured_queries) == len(few.captured_queries)
    covering = [s for s in suggestions if s.organisation.code.startswith("COVER")]
    assert len(covering) == 8
    assert all(s.estimates == 1 and s.activities == 1 and s.methods for s in covering)
    # one participant each: the count is there but suppressed (under five)
    assert all(s.outcomes is not None and s.outcomes.participants is None for s in covering)
    # and the page stays within a fixed budget
    client.force_login(coordinator)
    with django_assert_max_num_queries(30):
        response = client.get(f"/calls/{call.pk}/partners/")
    assert response.status_code == 200 and "Organisation COVER7" in response.content.decode()


def test_suggestion_outcomes_count_each_organisations_own_participants(coordinator, org_a, call):
    # given one organisation with five participants in the call's theme and one with one
    many = _covering_organisation(1, org_a)
    method = Method.objects.get(code="M-COVER1")
    for _ in range(4):
        EnrolmentFactory(
            participant=ParticipantFactory(unit=UnitFactory(organisation=many)), method=method
        )
    few = _covering_organisation(2, org_a)
    # when the suggestions are read
    found = {
        s.organisation: s for s in selectors.partner_suggestions(viewer=coordinator, call=call)
    }
    # then the five are shown, the one is hidden, and the estimate counts are each their own
    assert found[many].outcomes.participants == 5
    assert found[few].outcomes.participants is None
    assert found[many].estimates == 1 and found[few].estimates == 1


def _annex_consortium(coordinator, org_a, org_b, call):
    consortium = services.consortium_create(
        actor=coordinator, call=call, lead_organisation=org_a, title="Kartspåret"
    )
    services.consortium_partner_add(
        actor=coordinator, consortium=consortium, organisation=org_b, role="partner"
    )
    return consortium


def test_annex_pdf_draws_the_presence_map_with_its_caption_and_table(
    client, coordinator, org_a, org_b, call
):
    # given a consortium whose partner B has an activity in Umeå (the call targets county 24)
    consortium = _annex_consortium(coordinator, org_a, org_b, call)
    client.force_login(coordinator)
    for language, caption, legend in (
        ("sv", "Karta:", "Ingen partner (skrafferad)"),
        ("en", "Map:", "No partner (hatched)"),
    ):
        # when the annex is read back
        response = client.get(f"/calls/consortia/{consortium.pk}/annex.pdf?lang={language}")
        reader = PdfReader(io.BytesIO(response.content))
        # then a page holds the map picture, with the caption and the legend in words
        assert any(page.images for page in reader.pages)
        image = next(image for page in reader.pages for image in page.images)
        assert image.image.width >= 400
        text = "".join(page.extract_text() for page in reader.pages)
        assert caption in text and legend in text
    # and the table of the same numbers names every municipality of the county
    assert "Umeå" in text and "Vilhelmina" in text


def test_annex_xlsx_holds_the_map_beside_the_presence_table(
    client, coordinator, org_a, org_b, call
):
    consortium = _annex_consortium(coordinator, org_a, org_b, call)
    client.force_login(coordinator)
    response = client.get(f"/calls/consortia/{consortium.pk}/annex.xlsx?lang=en")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Regional presence"]
    assert len(sheet._images) == 1  # the map picture sits on the regional sheet
    assert sheet._images[0].anchor._from.col == 9  # beside the table (columns F to H)
    rows = {r[5]: r[6:8] for r in sheet.iter_rows(values_only=True) if r[5]}
    assert rows["Umeå"] == (1, 1)  # one partner, one activity
    assert rows["Vilhelmina"] == (0, 0)
    assert any(str(key).startswith("Map:") for key in rows)
    assert [len(s._images) for s in book.worksheets].count(0) == 2  # only there


def test_presence_counts_partners_per_municipality_and_every_county_without_regions(
    coordinator, org_a, org_b, call
):
    # given partner B in Umeå and the lead A (Stockholm) with an activity in Umeå and Skellefteå
    ActivityFactory(
        organisation=org_a,
        municipalities=[Municipality.objects.get(code=c) for c in ("2480", "2482")],
    )
    # when the presence is read for the call's county, and for a call with no region
    regional = selectors.regional_presence(organisations=[org_a.pk, org_b.pk], counties=["24"])
    national = selectors.regional_presence(organisations=[org_a.pk, org_b.pk], counties=[])
    # then each municipality counts partners and activities
    by_code = {a.code: (a.partners, a.activities) for a in regional.areas}
    assert regional.level == "municipality" and len(by_code) == 15
    assert by_code["2480"] == (2, 2) and by_code["2482"] == (1, 1) and by_code["2462"] == (0, 0)
    # and without regions every county is an area
    assert national.level == "county" and len(national.areas) == 21
    assert {a.code: a.partners for a in national.areas}["24"] == 2
