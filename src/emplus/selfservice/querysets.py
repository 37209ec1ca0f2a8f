"""Querysets of the self-service app: every read starts at restrict(user, permission), within
the participant's own organisation and unit (links and attested time are never shared by
consent)."""

from __future__ import annotations

from typing import Self

from django.db.models import Exists, OuterRef

from emplus.core.scoping import RestrictedQuerySet, ScopeFields


class SelfServiceLinkQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation", unit="participant__unit")


class MonthlyTimeQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation", unit="participant__unit")

    def attestation_waiting(self) -> Self:
        """Months whose stored hours wait for the participant's attestation: hours above zero
        and no attestation of the hours as they now stand (never attested, or changed after
        it). A month's hours are stored once the coach sets them, sends an attestation link or
        records a paper, so these are the attestations the coach has begun and not got back;
        among stored months it is exactly the time list's "not attested" and "changed after
        attestation" (selectors.MonthRow.status)."""
        attestation = self.model._meta.get_field("attestations").related_model
        current = attestation._default_manager.filter(
            monthly_time=OuterRef("pk"), time_version=OuterRef("version")
        )
        return self.filter(hours__gt=0).filter(~Exists(current))


class TimeAttestationQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation", unit="monthly_time__participant__unit")
