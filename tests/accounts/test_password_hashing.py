"""The production password hasher: Argon2id at OWASP's cost, older hashes upgraded at log-in."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, get_hasher
from django.urls import reverse
from tests.conftest import PASSWORD

from emplus.accounts.hashers import OwaspArgon2PasswordHasher
from emplus.config import settings as production_settings

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs"
# OWASP Password Storage Cheat Sheet, Argon2id: 19 MiB, 2 iterations, 1 degree of parallelism.
DOCUMENTED = "$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture
def production_hashers(settings):
    # The test settings hash with MD5 for speed (tests/conftest.py); these tests are about the
    # hashers production uses.
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS


def _django_default_hash(password: str) -> str:
    """A hash as Django's own Argon2 hasher makes it (100 MiB, 2 passes, 8 lanes)."""
    hasher = Argon2PasswordHasher()
    return hasher.encode(password, hasher.salt())


def _login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_production_hashes_with_the_documented_argon2id_parameters(production_hashers, coach):
    # given the production hashers
    # when a password is set
    coach.set_password(PASSWORD)
    # then it is Argon2id with OWASP's parameters, the ones the operator documentation states
    assert get_hasher("default").__class__ is OwaspArgon2PasswordHasher
    assert coach.password.startswith("argon2" + DOCUMENTED)
    assert "m=19456, t=2, p=1" in (DOCS / "operations.md").read_text()
    decision = next((DOCS / "decisions").glob("0054-*.md")).read_text()
    assert "m=19456, t=2, p=1" in decision


def test_old_parameter_hash_logs_in_and_is_rehashed(production_hashers, client, coach):
    # given a user whose hash was made with Django's default Argon2 parameters
    coach.password = _django_default_hash(PASSWORD)
    coach.save(update_fields=["password"])
    assert "m=102400,t=2,p=8" in coach.password
    # when they log in with their password
    response = _login(client, "coach-a")
    # then they are in, and their hash now has the new parameters and still checks
    assert response.status_code == 302 and response["Location"] == reverse("home:home")
    coach.refresh_from_db()
    assert coach.password.startswith("argon2" + DOCUMENTED)
    assert check_password(PASSWORD, coach.password)


def test_wrong_password_on_old_hash_is_refused_and_not_rehashed(production_hashers, client, coach):
    # given a user with an old-parameter hash
    old = _django_default_hash(PASSWORD)
    coach.password = old
    coach.save(update_fields=["password"])
    # when someone tries a wrong password
    response = _login(client, "coach-a", "not-the-password-42")
    # then the log-in is refused and the stored hash is untouched
    assert response.status_code == 200
    assert client.get(reverse("organisations:list")).status_code == 302
    coach.refresh_from_db()
    assert coach.password == old


def test_wrong_password_on_new_hash_is_refused(production_hashers, client, coach):
    # given a user with a hash of the new parameters
    coach.set_password(PASSWORD)
    coach.save(update_fields=["password"])
    # when someone tries a wrong password, then it is refused
    assert _login(client, "coach-a", "not-the-password-42").status_code == 200
    assert client.get(reverse("organisations:list")).status_code == 302
    # and the right one is accepted without re-hashing
    stored = coach.password
    assert _login(client, "coach-a").status_code == 302
    coach.refresh_from_db()
    assert coach.password == stored
