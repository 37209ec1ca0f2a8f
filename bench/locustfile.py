"""Load test of the pages that grow with the caseload (issue 14): coaches, coordinators and
analysts of ABF against a server with the demo partnership plus 100 000 participants.

Build the data (bench/loadtest_data.py), start gunicorn on it, then run locust from its own
virtual environment (bench/requirements.txt; locust is not a dependency of the platform):

    locust -f bench/locustfile.py --host http://127.0.0.1:8000 --headless \\
        --users 50 --spawn-rate 5 --run-time 2m --csv /tmp/load50

bench/README.md ("Load test") has the full instructions and the figures.

Every simulated user logs in as its own account (lt-coach-NN, lt-coordinator-NN, lt-analyst-NN)
with the password and a TOTP code computed from the account's key, as a phone would: the server
runs with the second factor required, as in production. A TOTP code is accepted once, so no two
simulated users share an account.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import random
import re
import struct
import sys
import time
from pathlib import Path

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadtest_data import PASSWORD, PERSONAS, totp_key, username  # noqa: E402

# Names of the demo generator (src/emplus/demo/pathways.py): common ones match thousands.
NAME_TERMS = ["Ekbacka", "amina", "sjö", "Maja Norrgren", "Hagmark", "leila stenb", "Karl"]
# References of the builder's batches: L<batch>-<five digits>; a part of one matches a few.
REFERENCE_TERMS = ["L3-0452", "L7-00012", "D-0123", "L0-099"]
PAGES_OF_CASELOAD = 2000  # 100 000 / 50: a page number anywhere in a coordinator's caseload
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Links to participant pages in a caseload page: /participants/<uuid>/
PARTICIPANT_LINK = re.compile(r'href="(/participants/[0-9a-f-]{36}/)"')
_numbers = {role: itertools.count(1) for role in PERSONAS}


def totp(key_hex: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), as django-otp's TOTP devices check it."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


class Persona(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 3)  # a person reading a page before the next

    def on_start(self) -> None:
        number = next(_numbers[self.role])
        if number > PERSONAS[self.role]:
            raise RuntimeError(f"more {self.role}s than accounts: raise PERSONAS in loadtest_data")
        name = username(self.role, number)
        page = self.client.get("/accounts/login/", name="log-in")
        # The redirect is followed to the second factor's page: its form is the one to fill.
        page = self.client.post(
            "/accounts/login/",
            data={
                "username": name,
                "password": PASSWORD,
                "csrfmiddlewaretoken": CSRF.search(page.text).group(1),
            },
            name="log-in",
        )
        with self.client.post(
            "/accounts/two-factor/",
            data={"token": totp(totp_key(name)), "csrfmiddlewaretoken": self._csrf(page.text)},
            name="log-in second factor",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code != 302:
                response.failure(f"second factor refused for {name}")

    def _csrf(self, html: str) -> str:
        found = CSRF.search(html)
        return found.group(1) if found else self.client.cookies.get("csrftoken", "")

    def _search(self, term: str, label: str) -> None:
        page = self.client.get("/participants/", name="caseload")
        self.client.post(
            "/participants/",
            data={"q": term, "csrfmiddlewaretoken": self._csrf(page.text)},
            name=label,
        )

    @task(1)
    def activities(self) -> None:
        self.client.get("/mapping/activities/", name="activities")

    def _participant(self, caseload_url: str) -> None:
        """A caseload page, then one of the participants it lists (as a coach opens one)."""
        page = self.client.get(caseload_url, name="caseload")
        links = PARTICIPANT_LINK.findall(page.text)
        if links:
            self.client.get(random.choice(links), name="participant page")

    def _evidence(self) -> None:
        self.client.get("/evidence/indicators/", name="/evidence/indicators/")

    def _progression(self) -> None:
        self.client.get("/evidence/progression/", name="/evidence/progression/")


class Coach(Persona):
    role = "coach"
    weight = 3

    @task(4)
    def caseload(self) -> None:
        self.client.get("/participants/", name="caseload")

    @task(2)
    def search_name(self) -> None:
        self._search(random.choice(NAME_TERMS), "caseload search by name")

    @task(2)
    def api_participants(self) -> None:
        self.client.get("/api/participants/", name="/api/participants/")

    @task(3)
    def participant(self) -> None:
        self._participant("/participants/")


class Coordinator(Persona):
    role = "coordinator"
    weight = 2

    @task(3)
    def caseload(self) -> None:
        self.client.get("/participants/", name="caseload")

    @task(2)
    def caseload_page(self) -> None:
        page = random.randint(2, PAGES_OF_CASELOAD)
        self.client.get(f"/participants/?page={page}", name="caseload ?page=N")

    @task(3)
    def search_name(self) -> None:
        self._search(random.choice(NAME_TERMS), "caseload search by name")

    @task(1)
    def search_reference(self) -> None:
        self._search(random.choice(REFERENCE_TERMS), "caseload search by reference")

    @task(2)
    def api_participants(self) -> None:
        page = random.choice([1, 1, random.randint(2, 1000)])
        self.client.get(f"/api/participants/?page={page}", name="/api/participants/")

    @task(2)
    def participant(self) -> None:
        self._participant(f"/participants/?page={random.randint(1, PAGES_OF_CASELOAD)}")

    @task(1)
    def indicators(self) -> None:
        self._evidence()

    @task(1)
    def progression(self) -> None:
        self._progression()


class Analyst(Persona):
    role = "analyst"
    weight = 1

    @task(2)
    def api_activities(self) -> None:
        self.client.get("/api/activities/", name="/api/activities/")

    # The evidence pages of the table: left out of the first runs (60-90 s each at
    # 100 000 participants), back since they read stored summaries (bench/README.md).
    @task(2)
    def indicators(self) -> None:
        self._evidence()

    @task(2)
    def progression(self) -> None:
        self._progression()
