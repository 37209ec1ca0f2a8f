"""Forms of the accounts app: second-factor codes, password change and reset with the second
factor, and API tokens."""

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from emplus.accounts.services import totp_device_confirmed, totp_token_check

CODE_WIDGET_ATTRS = {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs=CODE_WIDGET_ATTRS),
    )


class _SecondFactorMixin:
    """Adds the code of the user's confirmed authenticator, when they have one, and checks it."""

    second_factor_user = None

    def _add_second_factor(self, user) -> None:
        self.second_factor_user = user
        if totp_device_confirmed(user=user) is not None:
            self.fields["otp_token"] = forms.CharField(
                label=_("Six-digit code from your authenticator app"),
                max_length=8,
                widget=forms.TextInput(attrs=CODE_WIDGET_ATTRS),
            )

    def clean_otp_token(self):
        token = self.cleaned_data["otp_token"]
        if not totp_token_check(user=self.second_factor_user, token=token):
            raise forms.ValidationError(
                _("The code did not match. Check the time on your phone."), code="otp"
            )
        return token


class PasswordChangeWithSecondFactorForm(_SecondFactorMixin, PasswordChangeForm):
    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self._add_second_factor(user)


class SetPasswordWithSecondFactorForm(_SecondFactorMixin, SetPasswordForm):
    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self._add_second_factor(user)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        help_text=_("What the token is for, e.g. the name of the script or system using it."),
        max_length=100,
    )
