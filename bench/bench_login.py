"""Benchmark of a log-in as the load test makes it (bench/locustfile.py `on_start`), in-process
through the whole stack: CPU milliseconds of this process per step and of the PostgreSQL backend
(from /proc, the mean), queries, and the share of the password hash (the hasher's `verify` and
`encode` timed with the process clock).

Run it on a database of the load test (bench/loadtest_data.py: its users `lt-coach-NN`, each
with a confirmed TOTP device; a second factor required as in production):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_load_copy EMPLUS_VAR_DIR=...
    EMPLUS_REQUIRE_2FA=1 .venv/bin/python bench/bench_login.py --repeat 20
    ... --baseline-src /tmp/main/src     # the same log-ins against other code, in a child
                                         # process (git archive main src | tar -x -C /tmp/main)
    ... --profile                        # cProfile of one log-in (all its steps)

Every log-in is a new browser (no cookies: a new session) for the next of the load test's
coaches, whose stored hash is first set to the one the code under test would have stored (made
once, by that code's default hasher): the steady state, every user already re-hashed. The first
log-in after an upgrade (a hash of Django's default parameters, re-hashed during the log-in) is
measured as its own row. The TOTP device's last accepted step is reset before each log-in (a
code is accepted once; the load test's users log in once each). The steps: the log-in page, the
password (the POST and the redirect it leads to, as locust follows it: the second factor's page;
on main, home and then that page), and the code.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from _common import baseline_run, django_setup, load_average, machine, p95, profile
from bench_caseload_pages import _backend_cpu, _SqlClock

PASSWORD = "loadtest-Lösenord-2026"  # noqa: S105 - the load-test database's published password
STEPS = ["log-in page", "password", "second factor", "whole log-in"]
COACHES = 40


class _HashClock:
    """Process time spent in Argon2 hashing (verify and encode), and how many of each."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls: dict[str, int] = {"verify": 0, "encode": 0}

    def install(self) -> None:
        from django.contrib.auth.hashers import Argon2PasswordHasher

        for name in ("verify", "encode"):
            original = getattr(Argon2PasswordHasher, name)

            def timed(hasher, *args, _original=original, _name=name, **kwargs):
                start = time.process_time()
                try:
                    return _original(hasher, *args, **kwargs)
                finally:
                    self.seconds += time.process_time() - start
                    self.calls[_name] += 1

            setattr(Argon2PasswordHasher, name, timed)

    def take(self) -> tuple[float, dict[str, int]]:
        seconds, calls = self.seconds, dict(self.calls)
        self.seconds, self.calls = 0.0, {"verify": 0, "encode": 0}
        return seconds, calls


_client = None


def _login_steps(username: str):
    """The three requests of one log-in, each a function returning its final response."""
    from http.cookies import SimpleCookie

    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    global _client
    if _client is None:  # one handler (its middleware loaded once, as in a worker)
        _client = Client(HTTP_HOST="127.0.0.1")
    client = _client
    client.cookies = SimpleCookie()  # a new browser: no session, no CSRF cookie
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)

    def code() -> str:
        return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"

    return [
        ("log-in page", lambda: client.get("/accounts/login/"), 200),
        (
            "password",
            lambda: client.post(
                "/accounts/login/", {"username": username, "password": PASSWORD}, follow=True
            ),
            200,
        ),
        (
            "second factor",
            lambda: client.post("/accounts/two-factor/", {"token": code()}),
            302,
        ),
    ]


def _prepare(username: str, stored_hash: str) -> None:
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    get_user_model().objects.filter(username=username).update(password=stored_hash)
    TOTPDevice.objects.filter(user__username=username).update(last_t=-1, throttling_failure_count=0)


def _measure(repeat: int, stored_hash: str, hashes: _HashClock) -> dict[str, list[float]]:
    from django.db import connection

    out: dict[str, list[float]] = {}
    for number in range(repeat):
        username = f"lt-coach-{number % COACHES + 1:02d}"
        _prepare(username, stored_hash)
        hashes.take()
        total = {"cpu": 0.0, "pg": 0.0, "queries": 0.0}
        pg_known = True
        for name, run, status in _login_steps(username):
            clock = _SqlClock()
            pid, pg = _backend_cpu()
            with connection.execute_wrapper(clock):
                cpu = time.process_time()
                response = run()
                cpu = time.process_time() - cpu
            assert response.status_code == status, (name, response.status_code)
            pid_after, pg_after = _backend_cpu()
            out.setdefault(f"{name} cpu", []).append(cpu * 1000)
            out.setdefault(f"{name} queries", []).append(clock.queries)
            total["cpu"] += cpu * 1000
            total["queries"] += clock.queries
            if pid is not None and pid == pid_after:
                out.setdefault(f"{name} pg", []).append((pg_after - pg) * 1000)
                total["pg"] += (pg_after - pg) * 1000
            else:
                pg_known = False
        hash_seconds, calls = hashes.take()
        out.setdefault("whole log-in cpu", []).append(total["cpu"])
        out.setdefault("whole log-in queries", []).append(total["queries"])
        if pg_known:
            out.setdefault("whole log-in pg", []).append(total["pg"])
        out.setdefault("hash cpu", []).append(hash_seconds * 1000)
        out.setdefault("hash verify", []).append(calls["verify"])
        out.setdefault("hash encode", []).append(calls["encode"])
    return out


def _fmt(values: list[float] | None, how=statistics.median) -> str:
    return f"{how(values):.1f}" if values else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="log-ins")
    parser.add_argument("--baseline-src", help="src/ of the code to compare with")
    parser.add_argument("--profile", action="store_true", help="cProfile one log-in")
    parser.add_argument("--times-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    django_setup(baseline_src=args.baseline_src if args.times_only else None)
    from django.conf import settings
    from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, make_password
    from django.db import connection

    if not args.times_only:
        print(
            machine(f", {connection.vendor}, second factor required: {settings.EMPLUS_REQUIRE_2FA}")
        )
        print(f"hasher: {settings.PASSWORD_HASHERS[0]}")
    hashes = _HashClock()
    hashes.install()
    stored_hash = make_password(PASSWORD)  # as this code's default hasher stores it
    try:  # as `emplus serve` starts a worker, where it does (decision 46)
        from emplus.core.serving import warm_and_freeze
    except ImportError:
        pass
    else:
        warm_and_freeze()
    _measure(1, stored_hash, hashes)  # warm: first-request imports
    if args.profile:
        username = "lt-coach-01"
        _prepare(username, stored_hash)

        def run() -> None:
            for _name, step, _status in _login_steps(username):
                step()

        profile(run, tottime=True, lines=80)
        return
    results = _measure(args.repeat, stored_hash, hashes)
    if not args.times_only and type(get_hasher("default")) is not Argon2PasswordHasher:
        # The first log-in after the upgrade: a hash of Django's default parameters.
        django_default = Argon2PasswordHasher()
        old_hash = django_default.encode(PASSWORD, django_default.salt())
        upgrade = _measure(max(3, args.repeat // 4), old_hash, hashes)
        results.update({f"upgrade {key}": value for key, value in upgrade.items()})
    if args.times_only:
        print(json.dumps(results))
        return
    old: dict[str, list[float]] = {}
    if args.baseline_src:
        old = baseline_run(__file__, args.baseline_src, ["--repeat", str(args.repeat)])
    print(f"load average at end {load_average()}")
    print()
    print(
        "| step | CPU median ms | CPU p95 | PostgreSQL CPU mean | queries "
        "| before: CPU median | CPU p95 | PostgreSQL CPU mean | queries |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = [(step, step) for step in STEPS]
    if "upgrade whole log-in cpu" in results:
        rows.append(("first log-in after the upgrade (re-hash)", "upgrade whole log-in"))
    for label, key in rows:
        row = (
            f"| {label} | {_fmt(results.get(f'{key} cpu'))} | "
            f"{_fmt(results.get(f'{key} cpu'), p95)} | "
            f"{_fmt(results.get(f'{key} pg'), statistics.fmean)} | "
            f"{_fmt(results.get(f'{key} queries'), max)} |"
        )
        if key in STEPS and old:
            row += (
                f" {_fmt(old.get(f'{key} cpu'))} | {_fmt(old.get(f'{key} cpu'), p95)} | "
                f"{_fmt(old.get(f'{key} pg'), statistics.fmean)} | "
                f"{_fmt(old.get(f'{key} queries'), max)} |"
            )
        else:
            row += " – | – | – | – |"
        print(row)
    for label, data in (("this code", results), ("before", old)):
        if data:
            print(
                f"{label}: password hash CPU per log-in median {_fmt(data['hash cpu'])} ms "
                f"(verify × {max(data['hash verify']):.0f}, encode × "
                f"{max(data['hash encode']):.0f})"
            )
    if "upgrade hash cpu" in results:
        print(
            f"first log-in after the upgrade: hash CPU median {_fmt(results['upgrade hash cpu'])}"
            f" ms (verify × {max(results['upgrade hash verify']):.0f}, encode × "
            f"{max(results['upgrade hash encode']):.0f})"
        )


if __name__ == "__main__":
    main()
