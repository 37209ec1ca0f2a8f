"""The client address behind the configured proxies, and log-in lock-out by user name and by
address."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from tests.conftest import PASSWORD

from emplus.core.client_address import client_address

pytestmark = pytest.mark.django_db


def _request(remote="203.0.113.9", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_proxies_the_header_is_ignored(settings):
    settings.EMPLUS_TRUSTED_PROXIES = 0
    assert client_address(_request(forwarded="198.51.100.1")) == "203.0.113.9"


def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_wrote(settings):
    settings.EMPLUS_TRUSTED_PROXIES = 1
    # the proxy (127.0.0.1) appended the address it saw; the client invented the first entry
    request = _request(remote="127.0.0.1", forwarded="10.9.9.9, 198.51.100.23")
    assert client_address(request) == "198.51.100.23"
    assert client_address(_request(remote="127.0.0.1", forwarded="198.51.100.23")) == (
        "198.51.100.23"
    )


def test_behind_two_proxies(settings):
    settings.EMPLUS_TRUSTED_PROXIES = 2
    request = _request(remote="10.0.0.2", forwarded="6.6.6.6, 198.51.100.5, 10.0.0.1")
    assert client_address(request) == "198.51.100.5"


def test_garbage_in_the_header_falls_back_to_the_connection(settings):
    settings.EMPLUS_TRUSTED_PROXIES = 1
    assert client_address(_request(remote="127.0.0.1", forwarded="not-an-ip")) == "127.0.0.1"


def _login(client, username, password, address):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=address,
    )


def test_one_user_name_is_locked_whatever_address_the_attempts_come_from(client, coach, settings):
    settings.EMPLUS_TRUSTED_PROXIES = 1
    # given: failures spread over many addresses
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "coach-a", "wrong", f"198.51.100.{i + 1}")
    # then: the right password from a fresh address is refused too
    assert _login(client, "coach-a", PASSWORD, "192.0.2.200").status_code == 429


def test_one_address_is_locked_whatever_user_names_it_tries(client, coach, settings):
    settings.EMPLUS_TRUSTED_PROXIES = 1
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"guess-{i}", "wrong", "198.51.100.66")
    assert _login(client, "coach-a", PASSWORD, "198.51.100.66").status_code == 429
    # another address is not affected, and a spoofed left-most entry does not help the attacker
    assert _login(client, "coach-a", PASSWORD, "192.0.2.1").status_code == 302
    client.post(reverse("accounts:logout"))
    assert _login(client, "coach-a", PASSWORD, "192.0.2.77, 198.51.100.66").status_code == 429
