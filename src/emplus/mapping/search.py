"""Search across activities, methods, test beds and organisations.

PostgreSQL ranks full-text matches with Swedish stemming; SQLite (no stemmer) matches every
word of the query as a case-insensitive substring, which finds inflected forms that share a
stem prefix ("praktik" finds "praktikspår").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from emplus.mapping.models import Activity
from emplus.methods.models import Method
from emplus.organisations.selectors import organisation_list
from emplus.testbeds.models import TestBed

LIMIT = 25


@dataclass(frozen=True)
class SearchResults:
    activities: list
    methods: list
    test_beds: list
    organisations: list

    @property
    def total(self) -> int:
        return (
            len(self.activities) + len(self.methods) + len(self.test_beds) + len(self.organisations)
        )


def _match(qs: QuerySet, fields: list[str], q: str) -> QuerySet:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector(*fields, config="swedish")
        query = SearchQuery(q, config="swedish", search_type="websearch")
        substring = Q()
        for field in fields:
            substring |= Q(**{f"{field}__icontains": q})
        return (
            qs.annotate(rank=SearchRank(vector, query))
            .filter(Q(rank__gt=0) | substring)
            .order_by("-rank")
        )
    condition = Q()
    for word in q.split()[:8]:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return qs.filter(condition)


def search(*, viewer, q: str) -> SearchResults:
    q = q.strip()[:100]
    if not q:
        return SearchResults([], [], [], [])
    return SearchResults(
        activities=list(
            _match(Activity.objects.select_related("organisation"), ["title", "description"], q)[
                :LIMIT
            ]
        ),
        methods=list(_match(Method.objects.all(), ["name", "purpose", "steps"], q)[:LIMIT]),
        test_beds=list(_match(TestBed.objects.all(), ["name", "description"], q)[:LIMIT]),
        organisations=list(
            _match(organisation_list(viewer=viewer), ["name", "description"], q)[:LIMIT]
        ),
    )
