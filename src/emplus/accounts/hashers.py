"""The password hasher: Argon2id at OWASP's recommended cost, not Django's heavier default."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with 19 MiB of memory, 2 passes and 1 lane: the first configuration of the OWASP
    Password Storage Cheat Sheet (docs/decisions/0054). Django's default (100 MiB, 2 passes, 8
    lanes) cost about 280 ms of CPU per log-in on the production machine; this one about 30 ms.

    The algorithm name stays `argon2`, so hashes made with Django's default (or any other
    parameters) are still verified, and Django's `must_update` re-hashes them with these
    parameters at the user's next successful log-in."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
