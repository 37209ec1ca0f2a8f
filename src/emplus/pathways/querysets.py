"""Querysets of the pathway module; every read of personal records starts at visible_to()."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Exists, OuterRef, Q

from emplus.core import scoping
from emplus.core.roles import Role


def _shared_with_viewer(user, participant_path: str) -> Q | None:
    """Participants whose active consent shares them with an organisation where the viewer is a
    coach or coordinator."""
    reach = scoping.reach_of(user)
    organisations = {
        org for org, role, _ in reach.memberships if role in (Role.COACH, Role.COORDINATOR)
    }
    if not organisations:
        return None
    from emplus.pathways.models import Consent

    prefix = f"{participant_path}__" if participant_path else ""
    shared = Consent.objects.filter(
        participant=OuterRef(f"{prefix}pk" if prefix else "pk"),
        withdrawn_at__isnull=True,
        sharing=True,
        shared_with__in=organisations,
    )
    return Q(Exists(shared))


def _visible(qs: models.QuerySet, user, participant_path: str) -> models.QuerySet:
    prefix = f"{participant_path}__" if participant_path else ""
    own = scoping.personal_scope(
        qs, user, organisation_field=f"{prefix}organisation", unit_field=f"{prefix}unit"
    )
    shared = _shared_with_viewer(user, participant_path)
    if shared is None:
        return own
    return (own | qs.filter(shared)).distinct()


class ParticipantQuerySet(models.QuerySet):
    def visible_to(self, user) -> ParticipantQuerySet:
        return _visible(self, user, "")

    def owned_by_viewer(self, user) -> ParticipantQuerySet:
        """Only the viewer's own organisation's records: where changes are allowed."""
        return scoping.personal_scope(self, user)


class ConsentQuerySet(models.QuerySet):
    def active(self) -> ConsentQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class EnrolmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> EnrolmentQuerySet:
        return _visible(self, user, "participant")

    def open(self) -> EnrolmentQuerySet:
        return self.filter(exit_date__isnull=True)


class FollowUpQuerySet(models.QuerySet):
    def visible_to(self, user) -> FollowUpQuerySet:
        return _visible(self, user, "enrolment__participant")

    def due(self, *, on: date) -> FollowUpQuerySet:
        """Follow-ups not yet recorded whose due date has come (the coach's to-do list)."""
        return self.filter(observed_on__isnull=True, due_on__lte=on)
