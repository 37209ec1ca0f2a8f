"""Every log-in, failed log-in and log-out goes to the audit log (Django's auth signals are the
one place all of them pass, whichever view or backend is used)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from emplus.accounts import services
from emplus.core.client_address import client_address


def _address(request) -> str | None:
    return client_address(request) if request is not None else None


@receiver(user_logged_in, dispatch_uid="emplus.audit.logged_in")
def _logged_in(sender, request, user, **kwargs):
    services.login_succeeded_record(user=user, address=_address(request))


@receiver(user_login_failed, dispatch_uid="emplus.audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    services.login_failed_record(
        username=str(credentials.get("username", "")), address=_address(request)
    )


@receiver(user_logged_out, dispatch_uid="emplus.audit.logged_out")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        services.logout_record(user=user)
