"""Pages of long lists whose rows are costly to read (annotations, decryption): the page's keys
are found first with a slim query, keys only and in order, and then only those rows are read in
full (docs/decisions/0042). A page deep in a list of 100 000 then walks 100 000 keys, not
100 000 rows with every annotation computed and every ciphertext fetched."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination


def _key(row: Any) -> Any:
    # A model instance, or a row of `values()` that reads the key as "id".
    return row["id"] if isinstance(row, dict) else row.pk


class KeysFirstPaginator(Paginator):
    """A Paginator over an ordered queryset: the same pages, counts and errors, read in two
    queries (the keys of the page, then its rows)."""

    object_list: QuerySet[Any]

    def __init__(
        self,
        object_list: QuerySet[Any],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
        *,
        count: int | None = None,
        columns: tuple[str, ...] = (),
    ) -> None:
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        if count is not None:
            # The caller counted the list already (the time list's summary): not counted again.
            self.__dict__["count"] = count
        # The page's rows as `values()` of these columns (with "id"), not as instances. Given
        # here, not in `object_list`, so that the joins they need stay out of the keys' query
        # and the count.
        self.columns = columns

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        read = self.object_list.filter(pk__in=keys).order_by()
        if self.columns:
            read = read.values(*self.columns)
        rows = {_key(row): row for row in read}
        # The order of the keys is the list's; a row gone between the two reads is left out.
        return Page([rows[key] for key in keys if key in rows], number, self)


class KeysFirstPagination(PageNumberPagination):
    """The API's page-number pagination with the keys-first read. A caller that already knows
    the list's count (the kept counts, decision 50) passes it: the list is not counted again."""

    known_count: int | None = None

    def paginate_queryset(self, queryset, request, view=None, *, count: int | None = None):
        self.known_count = count
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page) -> KeysFirstPaginator:  # type: ignore[override]
        return KeysFirstPaginator(object_list, per_page, count=self.known_count)
