"""The look-up of whether any consent shares with the viewer's organisations, compiled once per
number of organisations (decision 0076): the same answer as the queryset's `exists()`."""

from __future__ import annotations

import pytest
from tests.factories import (
    ConsentFactory,
    OrganisationFactory,
    ParticipantFactory,
    _coordinator_of,
)

from emplus.pathways import querysets, services
from emplus.pathways.models import Consent

pytestmark = pytest.mark.django_db


def _orm(organisations) -> bool:
    return Consent.objects.filter(
        sharing=True, withdrawn_at__isnull=True, shared_with__in=sorted(organisations)
    ).exists()


class _User:
    """A request's user: the answer is kept on it for the request."""


def _compiled(organisations) -> bool:
    return querysets._sharing_reaches(_User(), frozenset(organisations))


def test_the_compiled_look_up_answers_as_the_queryset(org_a, org_b, unit_a1):
    org_c = OrganisationFactory(code="ORGC", name="Organisation C", municipality_id="0180")
    sets = [{org_a.pk}, {org_b.pk}, {org_c.pk}, {org_a.pk, org_b.pk}, {org_b.pk, org_c.pk}]
    # given no consent that shares
    person = ParticipantFactory(organisation=org_a, unit=unit_a1)
    ConsentFactory(participant=person, sharing=False)
    for organisations in sets:
        assert _compiled(organisations) is _orm(organisations) is False
    # when a consent shares the person with B
    consent = ConsentFactory(participant=person, sharing=True, shared_with=[org_b])
    # then the sets holding B say so, the others not
    for organisations in sets:
        assert _compiled(organisations) is _orm(organisations) is (org_b.pk in organisations)
    # and once it is withdrawn, none
    services.consent_withdraw(actor=_coordinator_of(org_a), consent=consent)
    for organisations in sets:
        assert _compiled(organisations) is _orm(organisations) is False


def test_the_answer_is_kept_for_the_request(org_a, django_assert_num_queries):
    user = _User()
    with django_assert_num_queries(1):
        for _ in range(3):
            querysets._sharing_reaches(user, frozenset({org_a.pk}))
