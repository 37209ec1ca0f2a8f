"""The demo data generator: each app's demo content, created in order from one fixed seed."""

from __future__ import annotations

import random

from django.db import transaction

from emplus.organisations import demo as organisations_demo

DEFAULT_SEED = 2026


@transaction.atomic
def demo_data_create(*, seed: int = DEFAULT_SEED) -> list[organisations_demo.DemoLogin]:
    """Create (or bring up to date) the demo partnership; the same seed gives the same data."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    logins = organisations_demo.create(rng)
    # Later modules add their demo content here, each from the same generator, in order.
    return logins
