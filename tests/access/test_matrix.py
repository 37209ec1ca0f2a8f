"""The generated access matrix: every page of the URL configuration and every endpoint of the
OpenAPI schema, with every persona, against the one table in matrix.csv (docs/access.md tells
how to read and extend it).

- each cell is the exact status (and, for a redirect, where to);
- a 200 never shows a name or reference of a participant outside the persona's scope;
- a request the table denies changes nothing in the database, whatever its method;
- a page or endpoint that answers 200 stays within its row's query budget;
- a route or target missing from the table, or a row of a route that is gone, fails.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.access.routes import Route, all_routes, url_of
from tests.access.scenario import FAMILY, PERSONAS, REF, SCOPE

TABLE = Path(__file__).with_name("matrix.csv")
HOW_TO_ADD = (
    "Add a row per route and target to tests/access/matrix.csv (see docs/access.md): the status "
    "each persona MUST get, not what it gets today. Observed today (check every cell before "
    "copying):"
)
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@dataclass(frozen=True)
class Cell:
    status: int
    location: str | None = None  # a redirect's target path; the log-in page for a bare 302
    known_hole: bool = False
    bare: bool = False  # a bare 302: sent to log in, i.e. refused

    @classmethod
    def parse(cls, text: str) -> Cell:
        text = text.strip()
        hole = text.endswith("!")
        text = text.rstrip("!")
        status, _, location = text.partition(":")
        status_code = int(status)
        bare = status_code == 302 and not location
        return cls(status_code, LOGIN if bare else (location or None), hole, bare)

    def __str__(self) -> str:
        text = str(self.status)
        if self.location and not self.bare:
            text += ":" + self.location
        return text + ("!" if self.known_hole else "")

    @property
    def denied(self) -> bool:
        """Refused: the request must not change anything."""
        return self.status in (401, 403, 404) or self.bare or self.location == ADMIN_LOGIN

    def matches(self, status: int, location: str) -> bool:
        """The status, and for a redirect its target: exact, or a prefix when written with *."""
        if status != self.status:
            return False
        if not self.location:
            return True
        location = location.split("?")[0]
        if self.location.endswith("*"):
            return location.startswith(self.location[:-1])
        return location == self.location


@dataclass(frozen=True)
class Row:
    route: str
    target: str
    cells: dict[str, Cell]
    budget: int | None
    known_hole: str
    budget_hole: bool
    line: int


def read_table() -> dict[tuple[str, str], Row]:
    lines = [
        (n, line)
        for n, line in enumerate(TABLE.read_text(encoding="utf-8").splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    reader = csv.reader(io.StringIO("\n".join(line for _, line in lines)), skipinitialspace=True)
    header = [h.strip() for h in next(reader)]
    assert header[:2] == ["route", "target"], "matrix.csv starts with route,target"
    assert tuple(header[2 : 2 + len(PERSONAS)]) == PERSONAS, f"persona columns: {PERSONAS}"
    assert header[2 + len(PERSONAS) :] == ["max_queries", "known_hole"]
    rows = {}
    for (number, _), values in zip(lines[1:], reader, strict=True):
        values = [v.strip() for v in values]
        values += [""] * (len(header) - len(values))
        route, target = values[0], values[1]
        cells = {p: Cell.parse(values[2 + i]) for i, p in enumerate(PERSONAS)}
        budget = values[2 + len(PERSONAS)]
        reason = values[3 + len(PERSONAS)]
        budget_hole = budget.endswith("!")
        budget = budget.rstrip("!")
        if budget_hole or any(c.known_hole for c in cells.values()):
            assert reason, f"matrix.csv line {number}: a cell marked ! needs a known_hole reason"
        assert (route, target) not in rows, f"matrix.csv line {number}: {route} {target} twice"
        rows[(route, target)] = Row(
            route, target, cells, int(budget) if budget else None, reason, budget_hole, number
        )
    return rows


ROUTES = {route.key: route for route in all_routes()}
TABLE_ROWS = read_table()


def route_of(key: str) -> tuple[Route | None, str]:
    """The route and method of a row: "name" is a GET of a page, "POST name" a POST to a page
    that only takes POST; API rows name their method ("GET /api/...")."""
    if key in ROUTES:
        route = ROUTES[key]
        return route, (route.methods[0] if route.is_api else "GET")
    method, _, name = key.partition(" ")
    if method in UNSAFE and name in ROUTES and not ROUTES[name].is_api:
        return ROUTES[name], method
    return None, ""


def rows_of(route: Route, target: str) -> list[Row]:
    keys = [route.key] if route.is_api else [route.key, *(f"{m} {route.key}" for m in UNSAFE)]
    return [TABLE_ROWS[(k, target)] for k in keys if (k, target) in TABLE_ROWS]


def _cases():
    for (key, target), row in TABLE_ROWS.items():
        if route_of(key)[0] is None:
            continue  # reported by test_every_row_names_a_route
        for persona, cell in row.cells.items():
            marks = (
                [pytest.mark.xfail(strict=True, reason=f"known hole: {row.known_hole}")]
                if cell.known_hole
                else []
            )
            yield pytest.param(key, target, persona, id=f"{key}|{target}|{persona}", marks=marks)


def request(client, route: Route, url: str, method: str):
    if method == "GET":
        return client.get(url)
    if route.is_api:
        return client.generic(method, url, data="{}", content_type="application/json")
    return client.post(url, {})


def body_text(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content[:2] == b"PK":  # an XLSX (a zip of XML parts): read the parts
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"".join(archive.read(name) for name in archive.namelist())
    return content.decode("utf-8", errors="replace")


def scope_of(persona: str, row: Row) -> frozenset[str]:
    """The units whose people `persona` may see in this row's response. Where coaches are
    refused (coordinator-only: rights, exports, ESF), a role held only as coach adds nothing:
    the mixed persona sees organisation A's people there, never unit B1's."""
    if persona == "mixed" and row.cells["coach"].status == 403:
        return SCOPE["coordinator"]
    return SCOPE[persona]


def leaks(scope: frozenset[str], text: str) -> list[str]:
    outside = [u for u in FAMILY if u not in scope]
    return [word for u in outside for word in (FAMILY[u], REF[u]) if word in text]


def title_is_text(response) -> bool:
    """A page's <title> holds text only: a browser shows any markup in it verbatim."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return True
    page = response.content.decode(errors="replace")
    if "<title>" not in page:
        return True
    return "<" not in page.split("<title>", 1)[1].split("</title>", 1)[0]


def writes(queries) -> list[str]:
    """The statements of a request that changed the database (any table)."""
    return [
        q["sql"][:120]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))
    ]


def observe(matrix, route: Route, target: str, method: str) -> str:
    """One suggested row: what every persona gets today, and the most queries of a 200."""
    cells, most = [], 0
    for persona in PERSONAS:
        connection.queries_log.clear()  # the log keeps 9000 queries: count from zero
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            response = request(matrix.client(persona), route, url_of(route, target, matrix), method)
            transaction.set_rollback(True)  # a log-out or a write stays within this request
        location = None
        if response.status_code in (301, 302, 303):
            location = response["Location"].split("?")[0]
        if response.status_code == 200:
            most = max(most, len(queries))
        cell = Cell(response.status_code, location, bare=location == LOGIN)
        cells.append(str(cell))
    key = route.key if route.is_api or method == "GET" else f"{method} {route.key}"
    return ", ".join([key, target, *cells, str(most + 4) if most else "", ""])


@pytest.mark.parametrize(("key", "target", "persona"), list(_cases()))
def test_access(matrix, key, target, persona):
    route, method = route_of(key)
    row = TABLE_ROWS[(key, target)]
    expected = row.cells[persona]
    url = url_of(route, target, matrix)
    connection.queries_log.clear()  # the log keeps 9000 queries: count from zero
    with CaptureQueriesContext(connection) as queries:
        response = request(matrix.client(persona), route, url, method)

    got = response.status_code
    where = response.get("Location", "")
    assert expected.matches(got, where), (
        f"{method} {url} as {persona}: {got} {where}, table says {expected} "
        f"(matrix.csv line {row.line})"
    )
    if got == 200:
        found = leaks(scope_of(persona, row), body_text(response))
        assert found == [], f"{url} shows {found} to {persona} (outside their scope)"
        assert title_is_text(response), f"{url}: markup inside <title> (an unclosed title block?)"
        if row.budget is not None:
            if row.budget_hole and len(queries) > row.budget:
                pytest.xfail(f"known N+1: {len(queries)} queries: {row.known_hole}")
            assert len(queries) <= row.budget, (
                f"{url} as {persona}: {len(queries)} queries, budget {row.budget} "
                f"(matrix.csv line {row.line})"
            )
    if expected.denied:
        assert writes(queries) == [], f"{method} {url} as {persona} changed the database"


# --- unsafe methods on pages ------------------------------------------------------------------


def _unsafe_page_cases():
    for (key, target), row in TABLE_ROWS.items():
        route = ROUTES.get(key)
        if route is None or route.is_api:
            continue  # API rows name their methods; "POST name" rows are POSTs already
        for persona, cell in row.cells.items():
            if key.startswith("admin:") and persona not in ("anonymous", "no_role", "admin"):
                continue  # the Django admin refuses every non-staff user in one place
            if (
                cell.denied
                and not cell.known_hole
                and f"POST {key}" not in (k for k, _ in TABLE_ROWS)
            ):
                yield pytest.param(key, target, persona, id=f"{key}|{target}|{persona}")


@pytest.mark.parametrize(("key", "target", "persona"), list(_unsafe_page_cases()))
def test_refused_page_refuses_a_post_too_and_changes_nothing(matrix, key, target, persona):
    """Where the table refuses a GET, a POST is refused as well and writes nothing."""
    route = ROUTES[key]
    url = url_of(route, target, matrix)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = matrix.client(persona).post(url, {})
    got = response.status_code
    location = response.get("Location", "").split("?")[0]
    assert got in (401, 403, 404, 405) or (got == 302 and location in (LOGIN, ADMIN_LOGIN)), (
        f"POST {url} as {persona}: {got} {location}"
    )
    assert writes(queries) == [], f"POST {url} as {persona} changed the database"


# --- the table covers every route ---------------------------------------------------------------


def missing_rows(matrix, routes) -> list[str]:
    """A suggested row for every route and target the table lacks (what each persona gets
    today: to be checked, not copied)."""
    missing = []
    for route in routes:
        for target in route.targets:
            if rows_of(route, target):
                continue
            if route.is_api:
                missing.append(observe(matrix, route, target, route.methods[0]))
                continue
            suggestion = observe(matrix, route, target, "GET")
            logged_in = [c.strip() for c in suggestion.split(",")[3:11]]
            if all(c == "405" for c in logged_in):  # only takes POST: walk it with POST
                suggestion = observe(matrix, route, target, "POST")
            elif "405" in logged_in:  # refused before the method is checked: walk both
                missing.append(observe(matrix, route, target, "POST"))
            missing.append(suggestion)
    return missing


def test_every_route_and_target_is_in_the_table(matrix):
    missing = missing_rows(matrix, ROUTES.values())
    assert not missing, HOW_TO_ADD + "\n" + "\n".join(missing)


def test_a_new_route_fails_until_it_has_a_row(matrix):
    """The day a page is added it is missing here, with what each persona gets today."""
    new = Route(key="organisations:new_page", pattern="/organisations/", params=())
    (line,) = missing_rows(matrix, [new])
    assert line.startswith("organisations:new_page, -, 302, 200, ")


def test_a_widened_scope_fails_its_cell():
    """Another organisation's participant answering 200 where the table says 404 fails."""
    cell = TABLE_ROWS[("pathways:detail", "b1")].cells["coordinator"]
    assert cell.status == 404 and not cell.matches(200, "")
    assert Cell.parse("302").matches(302, "/accounts/login/?next=/participants/")
    assert not Cell.parse("302").matches(302, "/accounts/two-factor/")
    assert Cell.parse("302:/esf/*").matches(302, "/esf/123/months/2025-01/")


def test_a_name_outside_the_scope_is_a_leak():
    row = TABLE_ROWS[("pathways:export", "-")]
    assert leaks(scope_of("coach", row), "Hallonqvist1 Vinbarsdal2") == ["Vinbarsdal"]
    # on a coordinator-only page the mixed persona's coaching in B1 adds nothing
    assert leaks(scope_of("mixed", row), "MXB1-001") == ["MXB1-"]
    assert leaks(scope_of("mixed", TABLE_ROWS[("pathways:caseload", "-")]), "MXB1-001") == []


def test_every_row_names_a_route_and_a_target_it_has():
    stale = [
        f"line {row.line}: {key} {target}"
        for (key, target), row in TABLE_ROWS.items()
        if route_of(key)[0] is None or target not in route_of(key)[0].targets
    ]
    assert stale == [], "rows of routes or targets that no longer exist: " + "; ".join(stale)


def test_the_log_in_page_is_where_a_bare_302_points():
    assert reverse("accounts:login") == LOGIN
