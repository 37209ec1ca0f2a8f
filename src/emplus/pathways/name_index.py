"""The participants' blind name index: written with the names, read by the caseload search.

The index rows are derived data of the name fields, written in the same transaction as the
names by the services that write them (registration, update, erasure, the demo), so a search
never sees a name without its tokens (decision 36). The participant file carries no names, so
an import writes none. The copies of the participant's organisation, unit and reference beside
each digest are written here and kept by the database when they change (migration 0021).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from emplus.core.blind_index import index_digests, term_digests
from emplus.pathways.models import Participant, ParticipantNameToken

BATCH = 2000
# What a participant's tokens are written from: the names and the copies beside the digests.
_WRITTEN_FROM = (
    "pk",
    "given_name",
    "family_name",
    "erased_at",
    "organisation_id",
    "unit_id",
    "participant_ref",
)


def _rows(participants: Sequence[Participant]) -> list[ParticipantNameToken]:
    return [
        ParticipantNameToken(
            participant_id=p.pk,
            digest=digest,
            organisation_id=p.organisation_id,
            unit_id=p.unit_id,
            participant_ref=p.participant_ref,
        )
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


def name_holders(
    term: str, tokens: QuerySet[ParticipantNameToken]
) -> QuerySet[ParticipantNameToken] | None:
    """The participants among `tokens` (a scope of them) whose name holds every word of `term`,
    from the tokens alone: one token per participant (of the term's first word), in the
    caseload's order (reference, key) by their copies (decision 80). None where the tokens
    alone cannot say: a term with no word to look up, or more than one search key (a rotation
    under way: a word's digests under two keys would be two walks of the index, merged by a
    sort; name_search's filter answers then)."""
    wanted = term_digests(term)
    if not wanted or any(len(digests) != 1 for digests in wanted):
        return None
    (first,), *others = wanted
    # A participant holds a digest once (participant_name_token_unique), and every token of a
    # participant is of the newest key when written: no participant twice.
    holders = tokens.filter(digest=first)
    for (digest,) in others:
        same_person = ParticipantNameToken.objects.filter(
            participant_id=OuterRef("participant_id"), digest=digest
        )
        holders = holders.filter(Exists(same_person))
    return holders.order_by("participant_ref", "participant_id")


def name_index_rebuild(batch_size: int = 500) -> int:
    """Rewrite every participant's tokens with the newest search key (key rotation); returns
    the number of participants indexed. Batches by primary key, one transaction each."""
    count, last_pk = 0, None
    while True:
        batch = Participant.objects.filter(erased_at__isnull=True).order_by("pk")
        if last_pk is not None:
            batch = batch.filter(pk__gt=last_pk)
        people = list(batch.only(*_WRITTEN_FROM)[:batch_size])
        if not people:
            return count
        with transaction.atomic():
            name_index_write(participants=people)
        count += len(people)
        last_pk = people[-1].pk
