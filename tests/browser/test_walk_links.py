"""Every page a demo user can reach by following links answers without a server error.

The walk follows the links of each page (GET only, within the site) breadth first, a few pages
of each URL shape, as the demo's users of each role. The file is named to run after the other
browser tests: a walk leaves audit entries and must not change what they see. It found a
consortium page that failed on the demo's own history (an event without a user)."""

from __future__ import annotations

import collections
import re

import pytest

from tests.browser.conftest import log_in

# Files, log-out and the account pages (a visit may start a second-factor set-up) are left
# out, as are the Django admin (it has its own tests) and deeper pages of a list.
SKIP = re.compile(
    r"(/accounts/|/admin/|logout|\.pdf|\.xlsx|\.csv|\.json|export|download|/api/|/static/"
    r"|annex|[?&]page=(?!1\b)|/print/)"
)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PER_SHAPE = 2  # pages of one URL shape (one participant, one employer, ...) worth a visit
MOST = 400  # pages per user: the demo's are about 170–320


def _shape(url: str) -> str:
    return re.sub(r"/\d+/", "/<n>/", UUID.sub("<id>", url.split("?")[0]))


def _walk(page, live_url: str) -> tuple[int, list[str]]:
    queue, seen, shapes, failed, visited = (
        collections.deque(["/"]),
        {"/"},
        collections.Counter(),
        [],
        0,
    )
    while queue and visited < MOST:
        url = queue.popleft()
        if shapes[_shape(url)] >= PER_SHAPE:
            continue
        shapes[_shape(url)] += 1
        visited += 1
        response = page.request.get(live_url + url, max_redirects=5)
        if response.status >= 500:
            failed.append(f"{url}: {response.status}")
            continue
        if response.status == 200 and response.headers.get("content-type", "").startswith(
            "text/html"
        ):
            for href in re.findall(r'href="(/[^"#]*)"', response.text()):
                href = href.replace("&amp;", "&")
                if href not in seen and not SKIP.search(href):
                    seen.add(href)
                    queue.append(href)
    return visited, failed


@pytest.mark.parametrize(
    "username", ["coach.abf", "coordinator.abf", "analyst.abf", "coordinator.hssl"]
)
def test_no_page_reached_by_links_fails(page, live_url, username):
    # given a demo user of the role, logged in
    log_in(page, live_url, username)
    # when they follow every link they are shown
    visited, failed = _walk(page, live_url)
    # then no page answers with a server error, and the walk went well beyond the start page
    assert failed == []
    assert visited > 50
