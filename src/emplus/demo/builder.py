"""The demo data generator: each app's demo content, created in order from one fixed seed."""

from __future__ import annotations

import random

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from emplus.demo import calls as calls_demo
from emplus.demo import collaborations as collaborations_demo
from emplus.demo import esf as esf_demo
from emplus.demo import innovation as innovation_demo
from emplus.demo import mapping as mapping_demo
from emplus.demo import methods as methods_demo
from emplus.demo import opportunities as opportunities_demo
from emplus.demo import organisations as organisations_demo
from emplus.demo import pathways as pathways_demo
from emplus.demo import plans as plans_demo
from emplus.demo import selfservice as selfservice_demo
from emplus.demo import skills as skills_demo
from emplus.demo import testbeds as testbeds_demo
from emplus.demo import worklife as worklife_demo

DEFAULT_SEED = 2026


def demo_refuse_in_production() -> None:
    if settings.PRODUCTION:
        raise ImproperlyConfigured(
            "Demo data is never created with production settings (EMPLUS_ENV=production)."
        )


@transaction.atomic
def demo_data_create(
    *, seed: int = DEFAULT_SEED, participants: int = pathways_demo.PARTICIPANTS
) -> list[organisations_demo.DemoLogin]:
    """Create (or bring up to date) the demo partnership; the same seed gives the same data.

    Refuses with production settings: demo users with a published password have no place there.
    """
    demo_refuse_in_production()
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    logins = organisations_demo.create(rng)
    mapping_rng = random.Random(seed + 2)  # noqa: S311 - own stream for methods, test beds, mapping
    methods_demo.create(mapping_rng)
    testbeds_demo.create(mapping_rng)
    mapping_demo.create(mapping_rng)
    pathways_demo.create(random.Random(seed + 1), count=participants)  # noqa: S311 - own stream per module
    selfservice_demo.create(random.Random(seed + 4))  # noqa: S311 - own stream: hours, links
    esf_demo.create(random.Random(seed + 3))  # noqa: S311 - own stream: ESF projects
    worklife_demo.create(random.Random(seed + 5))  # noqa: S311 - own stream: working life
    collaborations_demo.create(random.Random(seed + 6))  # noqa: S311 - own stream: collaborations
    calls_demo.create(random.Random(seed + 11))  # noqa: S311 - own stream: calls, consortium
    skills_demo.create(random.Random(seed + 8))  # noqa: S311 - own stream: skills development
    plans_demo.create(random.Random(seed + 12))  # noqa: S311 - own stream: action plans
    opportunities_demo.create(random.Random(seed + 13))  # noqa: S311 - own stream: matching
    innovation_demo.create(random.Random(seed + 7))  # noqa: S311 - own stream: innovation
    # Later modules add their demo content here, each from the same generator, in order.
    return logins
