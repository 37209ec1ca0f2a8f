"""What every request pays, part by part: CPU milliseconds of this process spent in each
middleware (its own code, not the ones inside it), the session's load and save, the user's read,
each context processor, the view with its template, and the audit event; in-process through the
whole stack, one request at a time, on a database of the load test (bench/loadtest_data.py).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_load_copy EMPLUS_VAR_DIR=...
    EMPLUS_REQUIRE_2FA=1 .venv/bin/python bench/bench_request_parts.py --repeat 200
    ... --baseline-src /tmp/main/src    # the same requests against other code, in a child

A probe sits before each middleware and after the last; a middleware's own time is the time
between its probe and the next one, on the way in and on the way out. The other parts are
timed by wrapping the functions that do them (inclusive: the user's read inside the middleware
that first touches it is counted in both).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict

from _common import baseline_run, django_setup, load_average, machine
from bench_caseload_pages import _clients  # the same two users' sessions

PAGES = ["small-page", "caseload-coach", "api-coach"]

_IN: list[float] = []
_OUT: list[float] = []
PARTS: dict[str, float] = defaultdict(float)


def _probe(index: int):
    class Probe:
        def __init__(self, get_response):
            self.get_response = get_response

        def __call__(self, request):
            _IN[index] = time.process_time()
            response = self.get_response(request)
            _OUT[index] = time.process_time()
            return response

    Probe.__name__ = Probe.__qualname__ = f"Probe{index}"
    return Probe


def _timed(owner, name: str, part: str) -> None:
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            PARTS[part] += time.process_time() - start

    setattr(owner, name, wrapper)


def _instrument() -> list[str]:
    """Probes around every middleware, wrappers around the other parts; the middleware names."""
    import sys

    from django.conf import settings

    names = list(settings.MIDDLEWARE)
    module = sys.modules[__name__]
    chain = []
    for index, name in enumerate(names):
        setattr(module, f"Probe{index}", _probe(index))
        chain += [f"{__name__}.Probe{index}", name]
    setattr(module, f"Probe{len(names)}", _probe(len(names)))
    chain.append(f"{__name__}.Probe{len(names)}")
    _IN[:] = _OUT[:] = [0.0] * (len(names) + 1)
    settings.MIDDLEWARE = chain

    from django.contrib.sessions.backends.db import SessionStore
    from django.template import engines

    import emplus.core.audit as audit
    from emplus.accounts.backends import AccountBackend

    _timed(SessionStore, "load", "session load")
    _timed(SessionStore, "save", "session save")
    _timed(AccountBackend, "get_user", "user read")
    _timed(audit, "audit_log", "audit event")
    engine = engines["django"].engine
    processors = engine.template_context_processors
    wrapped = []
    for processor in processors:
        label = f"context: {processor.__module__.rsplit('.', 1)[-1]}.{processor.__name__}"

        def run(request, processor=processor, label=label):
            start = time.process_time()
            try:
                return processor(request)
            finally:
                PARTS[label] += time.process_time() - start

        wrapped.append(run)
    engine.template_context_processors = tuple(wrapped)
    # Modules that imported audit_log by name keep the original: patch them too.
    timed = audit.audit_log
    for module_name, loaded in list(sys.modules.items()):
        patched = module_name.startswith("emplus.") and loaded is not audit
        if patched and getattr(loaded, "audit_log", None) is not None:
            loaded.audit_log = timed
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--baseline-src")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--times-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    django_setup(baseline_src=args.baseline_src if args.times_only else None)
    names = _instrument()
    from django.db import connection

    if not args.times_only:
        print(machine(f", {connection.vendor}"))
    clients = _clients()
    urls = {
        "small-page": (clients["coordinator"], "/help/"),
        "caseload-coach": (clients["coach"], "/participants/"),
        "api-coach": (clients["coach"], "/api/participants/"),
    }
    try:
        from emplus.core.serving import warm_and_freeze
    except ImportError:
        pass
    else:
        warm_and_freeze()
    results: dict[str, dict[str, list[float]]] = {}
    for page in args.pages.split(","):
        client, url = urls[page]
        for _ in range(3):
            assert client.get(url).status_code == 200
        samples: dict[str, list[float]] = defaultdict(list)
        for _ in range(args.repeat):
            PARTS.clear()
            start = time.process_time()
            response = client.get(url)
            total = time.process_time() - start
            assert response.status_code == 200, response.status_code
            samples["whole request (test client)"].append(total * 1000)
            for index, name in enumerate(names):
                own = (_IN[index + 1] - _IN[index]) + (_OUT[index] - _OUT[index + 1])
                samples[f"mw: {name.rsplit('.', 1)[-1]}"].append(own * 1000)
            samples["inside the middleware (view, template)"].append(
                (_OUT[len(names)] - _IN[len(names)]) * 1000
            )
            samples["all middleware's own"].append(
                ((_IN[len(names)] - _IN[0]) + (_OUT[0] - _OUT[len(names)])) * 1000
            )
            for part, seconds in PARTS.items():
                samples[part].append(seconds * 1000)
        results[page] = samples
    if args.times_only:
        print(json.dumps(results))
        return
    old = {}
    if args.baseline_src:
        old = baseline_run(
            __file__, args.baseline_src, ["--repeat", str(args.repeat), "--pages", args.pages]
        )
    print(f"load average at end {load_average()}")
    for page, samples in results.items():
        print(f"\n{page} (CPU ms, median of {args.repeat})\n")
        print("| part | this code | baseline |")
        print("|---|---:|---:|")
        parts = list(samples) + [p for p in old.get(page, {}) if p not in samples]
        for part in parts:
            new = samples.get(part)
            before = old.get(page, {}).get(part)
            cell = f"{statistics.median(new):.3f}" if new else "–"
            cell_old = f"{statistics.median(before):.3f}" if before else "–"
            print(f"| {part} | {cell} | {cell_old} |")


if __name__ == "__main__":
    main()
