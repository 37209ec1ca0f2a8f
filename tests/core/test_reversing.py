"""Addresses of many rows from one reverse(): the same text as reverse() gives each."""

from __future__ import annotations

import uuid

import pytest
from django.urls import NoReverseMatch, reverse

from emplus.core import reversing
from emplus.core.reversing import reverser


@pytest.mark.parametrize(("name", "arity"), [("pathways:detail", 1), ("pathways:followup", 2)])
def test_each_address_is_the_one_reverse_gives(name, arity):
    address = reverser(name, arity)
    for _ in range(200):
        keys = [uuid.uuid4() for _ in range(arity)]
        assert address(*keys) == reverse(name, args=keys)
    # a key given as text is the same key
    keys = [uuid.uuid4() for _ in range(arity)]
    assert address(*map(str, keys)) == reverse(name, args=keys)


def test_a_wrong_number_of_keys_or_a_key_that_is_no_uuid_is_refused():
    address = reverser("pathways:followup", 2)
    with pytest.raises(TypeError):
        address(uuid.uuid4())
    with pytest.raises(ValueError):
        address(uuid.uuid4(), "../admin")
    with pytest.raises(NoReverseMatch):
        reverser("pathways:no-such-page")


def test_a_pattern_that_repeats_its_stand_in_falls_back_to_reverse(monkeypatch):
    # given a pattern whose reversed text holds the stand-in twice (it cannot be split safely)
    calls = []
    stand_in = reversing._PLACEHOLDERS[0]

    def fake_reverse(name, args, current_app=None):
        calls.append(args)
        return f"/x/{args[0]}/{stand_in}/"

    monkeypatch.setattr(reversing, "reverse", fake_reverse)
    key = uuid.uuid4()
    # then every address is reverse()'s own
    assert reverser("x")(key) == f"/x/{key}/{stand_in}/"
    assert calls[-1] == (key,)


FIXED_NAMES = [
    "home:home",
    "set_language",
    "accounts:password_change",
    "accounts:two_factor",
    "accounts:api_tokens",
    "accounts:logout",
    "api:offline-entries",
    "help:index",
    "help:login",
    "pathways:caseload",
    "plans:list",
]


@pytest.mark.parametrize("name", FIXED_NAMES)
@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_fixed_address_is_the_one_reverse_gives_however_often_asked(name, language):
    from django.utils import translation

    with translation.override(language):
        assert reversing.fixed_address(name) == reverse(name)
        assert reversing.fixed_address(name) == reverse(name)  # the kept one


def test_a_fixed_address_follows_the_script_prefix_and_the_url_configuration(settings):
    from django.urls import get_script_prefix, set_script_prefix

    # given an address kept at the root
    assert reversing.fixed_address("home:home") == "/"
    # when the application is served under a prefix
    prefix = get_script_prefix()
    set_script_prefix("/emplus/")
    try:
        # then the address carries it, as reverse() does
        assert reversing.fixed_address("home:home") == reverse("home:home") == "/emplus/"
    finally:
        set_script_prefix(prefix)
    assert reversing.fixed_address("home:home") == "/"
    # and a name that does not reverse is refused every time, nothing kept
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            reversing.fixed_address("pathways:no-such-page")
    # and a changed URL configuration forgets what was kept
    settings.ROOT_URLCONF = "tests.core.urls_elsewhere"
    assert reversing.fixed_address("start") == "/elsewhere/"
    with pytest.raises(NoReverseMatch):
        reversing.fixed_address("home:home")
