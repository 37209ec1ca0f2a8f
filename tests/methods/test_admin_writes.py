"""Methods, test beds and activities changed in the Django admin go through their services:
stored with their related rows and audited in the admin's transaction."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from emplus.core.models import AuditEvent
from emplus.mapping.models import Activity
from emplus.methods.models import Method
from tests.mapping.factories import make_activity, make_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", password="a-long-test-password-42")


def _inline(prefix: str) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_a_method_added_in_the_admin_is_stored_with_its_areas_and_audited(client, superuser):
    # given
    area = make_area()
    client.force_login(superuser)
    data = {
        "code": "M-ADM",
        "name": "Metod från administrationen",
        "phases": '["prepare"]',
        "target_groups": "[]",
        "arenas": "[]",
        "evidence_level": "1",
        "thematic_areas": [str(area.pk)],
        **_inline("versions"),
    }
    # when
    response = client.post("/admin/methods/method/add/", data)
    # then
    assert response.status_code == 302
    method = Method.objects.get(code="M-ADM")
    assert list(method.thematic_areas.all()) == [area]
    event = AuditEvent.objects.get(action="method.created")
    assert event.target_id == str(method.pk) and "thematic_areas" in event.details["fields"]


def test_an_activity_deleted_in_the_admin_is_audited(client, superuser, org_a):
    activity = make_activity(org_a, ["2521"])
    client.force_login(superuser)
    response = client.post(
        f"/admin/mapping/activity/{activity.pk}/delete/", {"post": "yes"}, follow=False
    )
    assert response.status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert AuditEvent.objects.get(action="activity.deleted").details == {"code": activity.code}
