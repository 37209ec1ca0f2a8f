"""Querysets of the pathway module; every read of personal records starts at restrict()."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery

from emplus.core import scoping
from emplus.core.compiled import CompiledRows
from emplus.core.scoping import RestrictedQuerySet, ScopeFields

# Reading a record is the one thing that consent to sharing opens in another organisation;
# changing, exporting, erasing and data-subject requests stay with the controller.
SHARED_PERMISSIONS = frozenset({"participant.view"})


def _sharing_reaches(user, organisations: frozenset) -> bool:
    """Whether any consent not withdrawn shares a participant with one of `organisations`.

    A superset of the current consents that do (an older record may since have been superseded):
    when it is False, no row can be shared with the viewer, and restrict() leaves the EXISTS out.
    With `own OR EXISTS(...)` PostgreSQL cannot estimate the scope and walks the whole
    organisation (decision 42). One look-up through the index on the organisation of
    `shared_with`, kept on the user object like the memberships: once per request and user."""
    cache = getattr(user, "_emplus_sharing_reaches", None)
    if cache is None:
        cache = user._emplus_sharing_reaches = {}
    if organisations not in cache:
        keys = {f"o{i}": key for i, key in enumerate(sorted(organisations))}
        cache[organisations] = bool(_sharing_read(len(keys)).rows(**keys))
    return cache[organisations]


# The number of organisations -> the read of _sharing_reaches, compiled once (decision 0076:
# Django built and compiled the same `exists()` on every caseload and API request).
_SHARING_READS: dict[int, CompiledRows] = {}


def _sharing_read(count: int) -> CompiledRows:
    read = _SHARING_READS.get(count)
    if read is None:
        Consent = apps.get_model("pathways", "Consent")
        key = apps.get_model("organisations", "Organisation")._meta.pk
        stand_ins = {f"o{i}": (key, UUID(int=0x5EA0_0000 + i)) for i in range(count)}

        def build(**keys):
            return Consent.objects.filter(
                sharing=True, withdrawn_at__isnull=True, shared_with__in=list(keys.values())
            ).values_list("pk")[:1]

        read = _SHARING_READS[count] = CompiledRows(Consent, build, **stand_ins)
    return read


def _shared_with_viewer(user, participant_path: str, permission: str) -> Q | None:
    """Participants whose active consent shares them with an organisation where the viewer holds
    `permission` (only for SHARED_PERMISSIONS); None when no consent could."""
    if permission not in SHARED_PERMISSIONS:
        return None
    organisations = scoping.organisation_ids_with(user, permission)
    if not organisations or not _sharing_reaches(user, organisations):
        return None
    # The models import these querysets for their managers: Consent comes from the app
    # registry, so the two modules form no import cycle (contract "acyclic").
    Consent = apps.get_model("pathways", "Consent")
    prefix = f"{participant_path}__" if participant_path else ""
    # Only the newest consent counts: an older one that shared does not outlive a newer one
    # that does not.
    shared = Consent.objects.current().filter(
        participant=OuterRef(f"{prefix}pk" if prefix else "pk"),
        sharing=True,
        shared_with__in=organisations,
    )
    return Q(Exists(shared))


class _ParticipantOwnedQuerySet(RestrictedQuerySet):
    """Rows of one participant: the participant's organisation and unit, plus consent sharing."""

    participant_path = ""

    def restrict(self, user, permission: str):
        own = scoping.restrict(self, user, permission)
        shared = _shared_with_viewer(user, self.participant_path, permission)
        if shared is None:
            return own
        # Both sides are conditions on the row itself (forward keys and an EXISTS), so the OR
        # cannot repeat a row: no DISTINCT, which sorted every column, ciphertext included.
        return own | self.filter(shared)


class ParticipantQuerySet(_ParticipantOwnedQuerySet):
    scope = ScopeFields(organisation="organisation", unit="unit")

    def covering_statistics(self) -> ParticipantQuerySet:
        """Participants whose newest consent record covers statistics, by consent or another
        legal basis (docs/decisions/0023-consent-purposes-and-legal-bases.md)."""
        Consent = apps.get_model("pathways", "Consent")
        statistics = Consent.objects.current().filter(participant=OuterRef("pk"), statistics=True)
        return self.filter(Exists(statistics))


class ParticipantCountQuerySet(RestrictedQuerySet):
    """The kept counts of a scope: the same organisations and units as the participants'."""

    scope = ScopeFields(organisation="organisation", unit="unit")


def sharing_may_widen(user, permission: str) -> bool:
    """Whether restrict() of participants could add rows of other organisations shared with
    the viewer (the OR of consent sharing): then a count of the viewer's own units is not the
    count of the scope. Kept on the user object: no query once restrict() has asked."""
    if permission not in SHARED_PERMISSIONS:
        return False
    organisations = scoping.organisation_ids_with(user, permission)
    return bool(organisations) and _sharing_reaches(user, organisations)


class ConsentQuerySet(models.QuerySet):
    def active(self) -> ConsentQuerySet:
        return self.filter(withdrawn_at__isnull=True)

    def current(self) -> ConsentQuerySet:
        """Each participant's newest consent record, and only while it is not withdrawn: what
        the participant agreed to last is what holds (an older, wider consent does not come
        back when a newer one is withdrawn or narrower)."""
        newest = (
            self.model.objects.filter(participant=OuterRef("participant"))
            .order_by("-given_on", "-created_at")
            .values("pk")[:1]
        )
        return self.filter(pk=Subquery(newest), withdrawn_at__isnull=True)

    def current_unsuperseded(self) -> ConsentQuerySet:
        """The records current() gives, written as "no newer record of the same participant"
        (given later, or the same day and created later; the key breaks an exact tie, which
        current() leaves to the database): an anti-join, whose share of rows PostgreSQL
        estimates, where it takes `pk = (newest)` for one row in 200. Decision 57: a walk in due
        order that stops after a page then looks cheap to it, and it plans no parallel workers
        for it."""
        newer = self.model.objects.filter(participant=OuterRef("participant")).filter(
            Q(given_on__gt=OuterRef("given_on"))
            | Q(given_on=OuterRef("given_on"), created_at__gt=OuterRef("created_at"))
            | Q(
                given_on=OuterRef("given_on"),
                created_at=OuterRef("created_at"),
                pk__gt=OuterRef("pk"),
            )
        )
        return self.filter(~Exists(newer), withdrawn_at__isnull=True)


class EnrolmentQuerySet(_ParticipantOwnedQuerySet):
    scope = ScopeFields(organisation="participant__organisation", unit="participant__unit")
    participant_path = "participant"

    def open(self) -> EnrolmentQuerySet:
        return self.filter(exit_date__isnull=True)


class FollowUpQuerySet(_ParticipantOwnedQuerySet):
    scope = ScopeFields(
        organisation="enrolment__participant__organisation",
        unit="enrolment__participant__unit",
    )
    participant_path = "enrolment__participant"

    def due(self, *, on: date) -> FollowUpQuerySet:
        """Follow-ups not yet recorded whose due date has come (the coach's to-do list)."""
        return self.filter(observed_on__isnull=True, due_on__lte=on)


class ImportBatchQuerySet(RestrictedQuerySet):
    """Imports: who imported what into which organisation (no unit: a file may span units)."""

    scope = ScopeFields(organisation="organisation")
