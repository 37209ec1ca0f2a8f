"""Monthly income and its stability: recorded and audited per month and source, the owning
organisation only, the measures equal a hand computation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client
from django.urls import reverse

from emplus.core.models import AuditEvent
from emplus.core.roles import Role
from emplus.worklife import selectors, services
from emplus.worklife.charts import income_bars
from emplus.worklife.models import IncomeRecord
from tests.conftest import make_user

from .conftest import make_participant

pytestmark = pytest.mark.django_db


def _income(actor, participant, month, amount, source="employment"):
    return services.income_record_set(
        actor=actor,
        participant=participant,
        month=month,
        source=source,
        amount=Decimal(amount),
    )


def _hand_set(coach, participant):
    # 2025: a salary of 16 000 from January to October, 2 000 in benefits in March, nothing in
    # November, an 8 000 gig in December; and 2024 with income in three months only.
    for month in range(1, 11):
        _income(coach, participant, date(2025, month, 1), 16000)
    _income(coach, participant, date(2025, 3, 1), 2000, source="benefits")
    _income(coach, participant, date(2025, 12, 1), 8000, source="gig_assignment")
    for month in (4, 5, 6):
        _income(coach, participant, date(2024, month, 1), 5000, source="gig_assignment")


def test_stability_equals_the_hand_computation(coach, participant):
    _hand_set(coach, participant)
    view = selectors.participant_income_stability(
        viewer=coach, participant=participant, as_of=date(2026, 1, 15)
    )
    s = view.current
    assert (str(s.first_month), str(s.last_month)) == ("2025-01", "2025-12")
    assert s.monthly[2] == 18000  # the two sources of March added up
    assert s.months_with_income == 11
    assert s.months_above == 10
    assert s.longest_run_above == 10
    assert s.is_stable
    # mean 170 000 / 12; population standard deviation over the 12 totals
    assert s.mean == pytest.approx(14166.6667, abs=1e-3)
    assert s.coefficient_of_variation == pytest.approx(0.343199, abs=1e-6)
    p = view.previous
    assert (p.months_with_income, p.months_above, p.is_stable) == (3, 0, False)
    assert view.threshold == 15000 and view.version == 1


def test_income_replaced_and_audited(coach, participant):
    _income(coach, participant, date(2025, 5, 17), 1000)
    record = _income(coach, participant, date(2025, 5, 1), 1200)
    assert IncomeRecord.objects.get() == record
    assert record.month == date(2025, 5, 1) and record.amount == 1200
    events = AuditEvent.objects.filter(action="income.recorded").order_by("occurred_at")
    assert [e.details["replaced"] for e in events] == [False, True]


@pytest.mark.parametrize(
    ("amount", "source", "field"), [("-5", "employment", "amount"), ("5", "lottery", "source")]
)
def test_bad_income_names_the_field(coach, participant, amount, source, field):
    with pytest.raises(ValidationError) as raised:
        _income(coach, participant, date(2025, 5, 1), amount, source=source)
    assert field in raised.value.message_dict
    assert not IncomeRecord.objects.exists()


def test_other_unit_and_organisation_reach_no_income(
    coach, other_unit_coach, other_org_coach, participant
):
    record = _income(coach, participant, date(2025, 5, 1), 1000)
    for outsider in (other_unit_coach, other_org_coach):
        with pytest.raises(Http404):
            selectors.income_record_for_change(viewer=outsider, pk=record.pk)
        assert not selectors.participant_income(viewer=outsider, participant=participant)
        assert (
            selectors.participant_income_stability(
                viewer=outsider, participant=participant, as_of=date(2026, 1, 1)
            )
            is None
        )
        with pytest.raises(PermissionDenied):
            _income(outsider, participant, date(2025, 6, 1), 1000)


def test_income_page_form_and_delete(client, coach, participant, other_unit_coach):
    client.force_login(coach)
    url = reverse("worklife:income_add", args=[participant.pk])
    bad = client.post(
        url, {"income-month": "2025-13", "income-source": "employment", "income-amount": "100"}
    )
    assert bad.status_code == 400
    assert "month" in bad.context["income_form"].errors
    ok = client.post(
        url, {"income-month": "2025-11", "income-source": "employment", "income-amount": "16000"}
    )
    assert ok.status_code == 302
    record = IncomeRecord.objects.get()
    page = client.get(reverse("worklife:participant_placements", args=[participant.pk]))
    assert "2025-11" in page.content.decode()
    client.force_login(other_unit_coach)
    assert client.post(reverse("worklife:income_delete", args=[record.pk])).status_code == 404
    client.force_login(coach)
    assert client.post(reverse("worklife:income_delete", args=[record.pk])).status_code == 302
    assert not IncomeRecord.objects.exists()


def test_stability_by_organisation_suppressed_outside(coach, coordinator, unit_a1, org_b):
    people = [make_participant(coach, unit_a1, ref=f"S{n}") for n in range(3)]
    for n, person in enumerate(people):
        for month in range(1, 13):
            _income(coach, person, date(2025, month, 1), 16000 if n < 2 else 3000)
    as_of = date(2026, 1, 15)
    [row] = selectors.income_stability_by_group(
        viewer=coordinator, group_by="organisation", as_of=as_of
    )
    assert (row.people, row.stable, row.not_stable, row.suppressed) == (3, 2, 1, False)
    assert row.mean_months_with_income == 12
    analyst_b = make_user("analyst-b", org_b, Role.ANALYST)
    [outside] = selectors.income_stability_by_group(
        viewer=analyst_b, group_by="organisation", as_of=as_of
    )
    assert outside.suppressed
    assert outside.people is None and outside.stable is None
    assert outside.mean_months_with_income is None
    coach_page = reverse("worklife:income_stability")
    client = Client()
    client.force_login(coach)
    assert client.get(coach_page).status_code == 403
    client.force_login(coordinator)
    assert client.get(coach_page + "?group_by=test_bed").status_code == 200


def _upload(client, text: bytes):
    return client.post(
        reverse("worklife:income_import"),
        {"file": SimpleUploadedFile("inkomster.csv", text, content_type="text/csv")},
    )


def test_import_refused_whole_with_every_row_and_column(client, coach, participant, unit_b1):
    other = make_participant(
        make_user("coach-b1", unit_b1.organisation, Role.COACH, unit_b1), unit_b1, ref="B-1"
    )
    client.force_login(coach)
    bad = _upload(
        client,
        b"participant_ref,month,source,amount\n"
        b"P1,2025-01,employment,16000\n"
        b"P1,2025-14,employment,16000\n"
        b"B-1,2025-01,employment,100\n",
    )
    assert bad.status_code == 400
    assert [(e.row, e.column) for e in bad.context["errors"].listed] == [(3, "month")]
    assert not IncomeRecord.objects.exists()
    # another organisation's reference refuses the whole file in the service
    outside = _upload(
        client,
        b"participant_ref,month,source,amount\nP1,2025-01,employment,16000\nB-1,2025-01,employment,100\n",
    )
    assert outside.status_code == 400
    assert [(e.row, e.column) for e in outside.context["errors"].listed] == [(3, "participant_ref")]
    assert not IncomeRecord.objects.exists()
    assert not IncomeRecord.objects.filter(participant=other).exists()
    ok = _upload(
        client,
        b"participant_ref,month,source,amount\nP1,2025-01,employment,16000\nP1,2025-02,benefits,3000\n",
    )
    assert ok.status_code == 302
    assert IncomeRecord.objects.filter(participant=participant).count() == 2
    event = AuditEvent.objects.get(action="income.imported")
    assert str(participant.pk) in str(event.details)


def test_gig_assignment_recorded_audited_and_scoped(client, coach, other_unit_coach, participant):
    values = {
        "company": "Convoy",
        "client": "Flyttfirman AB",
        "started_on": date(2025, 3, 1),
        "ended_on": date(2025, 3, 5),
        "hours": Decimal("24"),
        "invoiced": Decimal("9000"),
        "salary_paid": Decimal("6000"),
    }
    with pytest.raises(ValidationError) as raised:
        services.gig_assignment_record(
            actor=coach, participant=participant, **{**values, "salary_paid": Decimal("9500")}
        )
    assert "salary_paid" in raised.value.message_dict
    with pytest.raises(PermissionDenied):
        services.gig_assignment_record(actor=other_unit_coach, participant=participant, **values)
    assignment = services.gig_assignment_record(actor=coach, participant=participant, **values)
    assert AuditEvent.objects.filter(action="gig_assignment.recorded").count() == 1
    assert list(selectors.participant_gig_assignments(viewer=coach, participant=participant)) == [
        assignment
    ]
    assert not selectors.participant_gig_assignments(
        viewer=other_unit_coach, participant=participant
    )
    client.force_login(coach)
    page = client.get(reverse("worklife:participant_placements", args=[participant.pk]))
    assert "Flyttfirman AB" in _main(page.content.decode())
    url = reverse("worklife:gig_new", args=[participant.pk])
    assert client.get(url).status_code == 200
    client.force_login(other_unit_coach)
    assert client.get(url).status_code == 404


def test_income_chart_beside_the_table(client, coach, participant):
    chart = income_bars(months=["2025-01", "2025-02"], totals=[20000.0, 0.0], threshold=15000)
    assert [b.above for b in chart.bars] == [True, False]
    assert chart.bars[1].height == 0 and chart.bars[0].height > 0
    assert chart.bars[0].y < chart.threshold_y < chart.base_y
    assert income_bars(months=[], totals=[], threshold=15000) is None
    _income(coach, participant, date(2025, 11, 1), 16000)
    client.force_login(coach)
    page = client.get(reverse("worklife:participant_placements", args=[participant.pk]))
    text = _main(page.content.decode())
    assert 'aria-labelledby="income-caption"' in text and 'id="income-table"' in text


def _main(page: str) -> str:
    """The page's main content, after checking that its title is plain text (a template once
    rendered the income section inside <title>, where a browser shows it as raw markup)."""
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and len(title) < 200, title
    return page.split("<main", 1)[1].split("</main>", 1)[0]


BAD_FILE = (
    b"participant_ref,month,source,amount\n"
    b",2025-14,salary,-5\n"
    b"P1,2025-01,employment,100\n"
    b"P1,2025-01,employment,200\n"
)


def test_import_errors_are_in_the_language_of_the_page(client, coach, participant):
    client.force_login(coach)
    swedish = _upload(client, BAD_FILE).content.decode()
    assert (
        '<td class="num">2</td><td>participant_ref</td><td>En deltagarreferens krävs.</td>'
    ) in swedish
    assert "Förväntade en månad som ÅÅÅÅ-MM." in swedish
    assert "Förväntade heltal kronor, noll eller mer." in swedish
    assert (
        '<td class="num">4</td><td>month</td><td>Samma deltagare, månad och källa som rad 3.</td>'
    ) in swedish
    assert "Expected" not in swedish
    client.cookies["django_language"] = "en"
    english = _upload(client, BAD_FILE).content.decode()
    assert "A participant reference is required." in english
    assert "The same participant, month and source as row 3." in english
    missing = _upload(client, b"participant_ref,month\nP1,2025-01\n").content.decode()
    assert "The column source is missing." in missing


def test_an_income_file_with_many_errors_lists_the_first_and_sums_up_the_rest(client, coach):
    # given 300 rows with a month that does not exist
    rows = b"".join(b"P1,2025-13,employment,100\n" for _ in range(300))
    client.force_login(coach)
    # when
    html = _upload(client, b"participant_ref,month,source,amount\n" + rows).content.decode()
    # then
    assert "Filen avvisades: 300 fel." in html
    assert "De första 200 felen visas; 100 till visas inte." in html
    assert '<td>month</td><td class="num">300</td><td class="num">2</td>' in html
