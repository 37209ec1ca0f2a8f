"""Pages of long lists whose rows are costly to read (annotations, decryption): the page's keys
are found first with a slim query, keys only and in order, and only those rows are read in full
(docs/decisions/0042). A page deep in a list of 100 000 then walks 100 000 keys, not 100 000 rows
with every annotation computed and every ciphertext fetched. The keys are a subquery of the rows'
read: one statement a page (decision 70), and a page in the second half of an exactly counted
list walks its keys from the end."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from rest_framework.pagination import PageNumberPagination


class KeysFirstPaginator(Paginator):
    """A Paginator over an ordered queryset: the same pages, counts and errors, each page read
    in one statement (its rows, of the keys the subquery walks to)."""

    object_list: QuerySet[Any]

    def __init__(
        self,
        object_list: QuerySet[Any],
        per_page: int,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
        *,
        count: int | None = None,
        count_exact: bool = False,
        columns: tuple[str, ...] = (),
        known_keys: dict[int, list[Any]] | None = None,
    ) -> None:
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        if count is not None:
            # The caller counted the list already (the time list's summary): not counted again.
            self.__dict__["count"] = count
        # Whether the list holds exactly `count` rows (the kept counts do; a count that stops
        # at a limit does not): only then is a page counted from the end (decision 70).
        self.count_exact = count is None or count_exact
        # The page's rows as `values()` of these columns (with "id"), not as instances. Given
        # here, not in `object_list`, so that the joins they need stay out of the keys' query
        # and the count.
        self.columns = columns
        # The keys of pages the caller found already, by number (a search's walk that counted
        # it, decision 69): those pages' keys are not walked again.
        self.known_keys = known_keys or {}

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys: Any = self.known_keys.get(number)
        if keys is not None:
            pass  # found by the caller (a search's count, decision 69): not walked again
        elif self.count_exact and bottom > self.count - top:
            # Past the middle the walk from the end is the shorter: the keys in the reverse
            # order, `count - top` skipped (an OFFSET walks every key it skips).
            keys = self.object_list.values("pk").reverse()[self.count - top : self.count - bottom]
        else:
            keys = self.object_list.values("pk")[bottom:top]
        # One statement: the rows of the keys the subquery walks to, in the list's order (the
        # subquery's LIMIT keeps the annotations and joins of the rows to the page's rows).
        read = self.object_list.filter(pk__in=keys)
        if self.columns:
            read = read.values(*self.columns)
        return Page(list(read), number, self)


class KeysFirstPagination(PageNumberPagination):
    """The API's page-number pagination with the keys-first read. A caller that already knows
    the list's exact count (the kept counts, decision 50) passes it: the list is not counted
    again. `columns` as KeysFirstPaginator's: the rows as `values()`, their joins kept out of
    the keys' walk."""

    known_count: int | None = None
    columns: tuple[str, ...] = ()

    def paginate_queryset(
        self,
        queryset,
        request,
        view=None,
        *,
        count: int | None = None,
        columns: tuple[str, ...] = (),
    ):
        self.known_count = count
        self.columns = columns
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page) -> KeysFirstPaginator:  # type: ignore[override]
        return KeysFirstPaginator(
            object_list, per_page, count=self.known_count, count_exact=True, columns=self.columns
        )
