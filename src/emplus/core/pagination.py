"""Pages of long lists whose rows are costly to read (annotations, decryption): the page's keys
are found first with a slim query, keys only and in order, and only those rows are read in full
(docs/decisions/0042). A page deep in a list of 100 000 then walks 100 000 keys, not 100 000 rows
with every annotation computed and every ciphertext fetched. The keys are a subquery of the rows'
read: one statement a page (decision 70), and a page in the second half of an exactly counted
list walks its keys from the end. Where the caller has marks of the list (the ordering's values
of every `step`-th row, decision 77), a deep page starts its walk at the nearest mark before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThanOrEqual
from rest_framework.pagination import PageNumberPagination


@dataclass(frozen=True)
class PageMarks:
    """Where a long list's rows start, every `step` rows: `read()` gives the values of the
    list's ordering (its `order_by` fields, ascending) of rows 0, step, 2 * step ... of the list
    the paginator counted, or None where it cannot say for that list (then pages are walked as
    without marks). Read only for a page at least `step` rows deep."""

    step: int
    read: Callable[[], Sequence[tuple[Any, ...]] | None]


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
        marks: PageMarks | None = None,
        keys: QuerySet[Any] | None = None,
    ) -> None:
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        # The list's keys in its order, one column, walked (and counted) instead of the list's
        # own: an index that holds the keys in that order (a search's name tokens, decision
        # 80). The rows are still read from `object_list`, so it alone decides what is shown.
        self.keys = keys
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
        # Marks of an exactly counted list (decision 77): a deep page walks from the nearest.
        self.marks = marks if self.count_exact and keys is None else None

    @cached_property
    def count(self) -> int:
        return (self.keys if self.keys is not None else self.object_list).count()

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys: Any = self.known_keys.get(number)
        if keys is not None:
            pass  # found by the caller (a search's count, decision 69): not walked again
        elif (marked := self._from_mark(bottom, top)) is not None:
            keys = marked
        elif self.count_exact and bottom > self.count - top:
            # Past the middle the walk from the end is the shorter: the keys in the reverse
            # order, `count - top` skipped (an OFFSET walks every key it skips).
            keys = self._walk().reverse()[self.count - top : self.count - bottom]
        else:
            keys = self._walk()[bottom:top]
        # One statement: the rows of the keys the subquery walks to, in the list's order (the
        # subquery's LIMIT keeps the annotations and joins of the rows to the page's rows).
        read = self.object_list.filter(pk__in=keys)
        if self.columns:
            read = read.values(*self.columns)
        return Page(list(read), number, self)

    def _walk(self) -> QuerySet[Any]:
        return self.keys if self.keys is not None else self.object_list.values("pk")

    def _from_mark(self, bottom: int, top: int) -> QuerySet[Any] | None:
        """The page's keys walked from the nearest mark at or before `bottom` (decision 77), or
        None where no mark is nearer than the list's ends."""
        marks = self.marks
        if marks is None or bottom < marks.step or self.count - top < marks.step:
            return None  # the start or the end is within a step: not worth reading the marks
        found = marks.read()
        if not found:
            return None
        index = min(bottom // marks.step, len(found) - 1)
        start = index * marks.step
        if index == 0 or bottom - start >= self.count - top:
            return None  # the start or the end is as near
        ordering = [field for field in self.object_list.query.order_by if isinstance(field, str)]
        if len(ordering) != len(found[index]) or any(f.startswith("-") for f in ordering):
            return None  # marks of another order than the list's (or ordered by expressions)
        after = TupleGreaterThanOrEqual(Tuple(*(F(field) for field in ordering)), found[index])
        return self.object_list.filter(after).values("pk")[bottom - start : top - start]


class KeysFirstPagination(PageNumberPagination):
    """The API's page-number pagination with the keys-first read. A caller that already knows
    the list's exact count (the kept counts, decision 50) passes it: the list is not counted
    again. `columns` as KeysFirstPaginator's: the rows as `values()`, their joins kept out of
    the keys' walk."""

    known_count: int | None = None
    columns: tuple[str, ...] = ()
    marks: PageMarks | None = None
    keys: QuerySet[Any] | None = None

    def paginate_queryset(
        self,
        queryset,
        request,
        view=None,
        *,
        count: int | None = None,
        columns: tuple[str, ...] = (),
        marks: PageMarks | None = None,
        keys: QuerySet[Any] | None = None,
    ):
        self.known_count = count
        self.columns = columns
        self.marks = marks
        self.keys = keys
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page) -> KeysFirstPaginator:  # type: ignore[override]
        return KeysFirstPaginator(
            object_list,
            per_page,
            count=self.known_count,
            count_exact=True,
            columns=self.columns,
            marks=self.marks,
            keys=self.keys,
        )
