"""Data for the load test (bench/locustfile.py): the demo partnership (3 000 participants) plus
100 000 more in ABF, with pathway steps, assessments, consents, exits and follow-ups, and the
load test's users with known passwords and second factors.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_load \\
      .venv/bin/python bench/loadtest_data.py                 # 3 000 + 100 000
    ... bench/loadtest_data.py --extra 10000                  # a quick one
    ... bench/loadtest_data.py --passwords-only               # only the users' hashes again

The database named in the URL is dropped and created again (PostgreSQL only). The participants
come from the demo generator in batches of 10 000 (bulk inserts, names encrypted and indexed as
in production); nothing is audited per row.

Users (organisation ABF; the server must run with EMPLUS_REQUIRE_2FA=1, as in production):
`lt-coach-NN` (each a coach of one of ABF's local units, in turn), `lt-coordinator-NN` and
`lt-analyst-NN`, all with the password PASSWORD below and a confirmed TOTP device whose key is
`totp_key(username)`: the locust client computes the six-digit code at log-in, as a phone would.
The key derivation is public (it is in this file): these users belong in a load-test database
and nowhere else.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "loadtest-Lösenord-2026"  # noqa: S105 - a load-test database's published password
BATCH = 10_000
PERSONAS = {"coach": 40, "coordinator": 20, "analyst": 20}


def totp_key(username: str) -> str:
    """The hex TOTP key of a load-test user (20 bytes, as django-otp makes them)."""
    return hashlib.sha256(f"emplus-loadtest:{username}".encode()).hexdigest()[:40]


def username(role: str, number: int) -> str:
    return f"lt-{role}-{number:02d}"


def _database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _users() -> None:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from emplus.organisations.models import Organisation
    from emplus.organisations.services import membership_grant

    abf = Organisation.objects.get(code="ABF")
    units = list(abf.units.order_by("name"))
    user_model = get_user_model()
    for role, count in PERSONAS.items():
        for number in range(1, count + 1):
            name = username(role, number)
            user = user_model.objects.create_user(
                username=name, password=PASSWORD, email=f"{name}@loadtest.invalid"
            )
            unit = units[(number - 1) % len(units)] if role == "coach" else None
            membership_grant(user=user, organisation=abf, role=role, unit=unit)
            TOTPDevice.objects.create(user=user, name="TOTP", key=totp_key(name), confirmed=True)


def _passwords_again() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emplus.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    names = [username(role, n) for role, count in PERSONAS.items() for n in range(1, count + 1)]
    users = list(get_user_model().objects.filter(username__in=names))
    for user in users:  # each its own salt, as a log-in would have re-hashed it
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    print(f"{len(users)} passwords hashed again")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=int, default=100_000, help="participants added in ABF")
    parser.add_argument(
        "--passwords-only",
        action="store_true",
        help="only hash the load-test users' password again with this code's hasher (an "
        "existing database built before decision 54: otherwise every log-in of the next run "
        "is a first log-in after the upgrade, re-hashing)",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is dropped and created again).")
    if args.passwords_only:
        _passwords_again()
        return
    _database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emplus.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from emplus.demo import pathways as pathways_demo
    from emplus.demo.builder import demo_data_create

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    demo_data_create()
    print(f"demo partnership: {time.perf_counter() - started:.0f} s", flush=True)
    for batch in range((args.extra + BATCH - 1) // BATCH):
        count = min(BATCH, args.extra - batch * BATCH)
        with transaction.atomic():
            pathways_demo.create(
                random.Random(1000 + batch),  # noqa: S311 - bench data
                count=count,
                prefix=f"L{batch}-",
                organisation_code="ABF",
            )
        print(
            f"{batch * BATCH + count:,} more participants: {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    with transaction.atomic():
        _users()
    with connection.cursor() as cursor:  # as autovacuum would leave the tables
        cursor.execute("VACUUM ANALYZE")
    print(f"ready in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
