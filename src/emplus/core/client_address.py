"""The client's IP address, taken correctly behind the configured number of trusted proxies."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_address(request) -> str | None:
    """REMOTE_ADDR, or with N trusted proxies the address the outermost one saw.

    Each proxy appends the address it received the request from to X-Forwarded-For, so only the
    last N entries were written by proxies we trust; anything further left came from the client
    and may be invented. With no proxies configured the header is ignored altogether.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = settings.EMPLUS_TRUSTED_PROXIES
    if trusted <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if remote:
        hops.append(remote)
    if not hops:
        return None
    # The request came through fewer proxies than configured: the first hop is all we have.
    candidate = hops[-(trusted + 1)] if len(hops) > trusted else hops[0]
    return candidate if _valid(candidate) else remote
