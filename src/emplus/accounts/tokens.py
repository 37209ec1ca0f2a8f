"""API token authentication: django-rest-knox tokens (hashed, expiring, revocable) that are
refused for users who need the second factor unless the token was issued after it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from emplus.accounts.second_factor import second_factor_required_for


class SecondFactorTokenAuthentication(TokenAuthentication):
    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        issued_verified = getattr(getattr(token, "emplus", None), "second_factor_verified", False)
        if second_factor_required_for(user) and not issued_verified:
            raise exceptions.AuthenticationFailed(
                _(
                    "This token was issued without a verified second factor. Create a new one "
                    "on your account page after logging in with your authenticator app."
                )
            )
        return user, token
