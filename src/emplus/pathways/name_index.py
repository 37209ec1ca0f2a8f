"""The participants' blind name index: written with the names, read by the caseload search.

The index rows are derived data of the name fields, written in the same transaction as the
names by the services that write them (registration, update, erasure, the demo), so a search
never sees a name without its tokens (decision 36). The participant file carries no names, so
an import writes none.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q

from emplus.core.blind_index import index_digests, term_digests
from emplus.pathways.models import Participant, ParticipantNameToken

BATCH = 2000


def _rows(participants: Sequence[Participant]) -> list[ParticipantNameToken]:
    return [
        ParticipantNameToken(participant_id=p.pk, digest=digest)
        for p in participants
        if p.erased_at is None
        for digest in index_digests(p.given_name or "", p.family_name or "")
    ]


def name_index_write(*, participants: Sequence[Participant], new: bool = False) -> None:
    """(Re)write the index rows of `participants` from their current names. `new=True` skips
    the delete for participants that cannot have rows yet (just created)."""
    for start in range(0, len(participants), BATCH):
        chunk = participants[start : start + BATCH]
        if not new:
            ParticipantNameToken.objects.filter(participant_id__in=[p.pk for p in chunk]).delete()
        ParticipantNameToken.objects.bulk_create(_rows(chunk), batch_size=BATCH)


def name_index_clear(*, participant: Participant) -> None:
    """Remove a participant's tokens (their name was erased)."""
    ParticipantNameToken.objects.filter(participant=participant).delete()


def name_search(term: str) -> Q | None:
    """A filter on participants whose name holds every word of `term` as a word prefix, or
    None when the term has no word long enough to look up."""
    wanted = term_digests(term)
    if not wanted:
        return None
    # pk IN (the participants holding a digest): the digest index finds them, and the planner
    # joins them to the scope (an EXISTS per scoped row would probe once per participant).
    condition = Q()
    for digests in wanted:
        holders = ParticipantNameToken.objects.filter(digest__in=digests)
        condition &= Q(pk__in=holders.values("participant_id"))
    return condition


def name_index_rebuild(batch_size: int = 500) -> int:
    """Rewrite every participant's tokens with the newest search key (key rotation); returns
    the number of participants indexed. Batches by primary key, one transaction each."""
    count, last_pk = 0, None
    while True:
        batch = Participant.objects.filter(erased_at__isnull=True).order_by("pk")
        if last_pk is not None:
            batch = batch.filter(pk__gt=last_pk)
        people = list(batch.only("pk", "given_name", "family_name", "erased_at")[:batch_size])
        if not people:
            return count
        with transaction.atomic():
            name_index_write(participants=people)
        count += len(people)
        last_pk = people[-1].pk
