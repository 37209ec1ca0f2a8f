"""Log-in, log-out, password change and reset, the TOTP second factor, and API tokens."""

from __future__ import annotations

import base64
import time
from urllib.parse import urlsplit

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY

from emplus.accounts import selectors
from emplus.accounts.forms import (
    ApiTokenForm,
    PasswordChangeWithSecondFactorForm,
    SetPasswordWithSecondFactorForm,
    TokenForm,
)
from emplus.accounts.middleware import second_factor_page_first, second_factor_url
from emplus.accounts.second_factor import second_factor_required_for, session_is_verified
from emplus.accounts.services import (
    TooManyTokens,
    api_token_create,
    api_token_revoke,
    password_change_record,
    password_reset_complete_record,
    second_factor_replace,
    second_factor_replace_begin,
    second_factor_verify,
    totp_device_confirmed,
    totp_device_pending,
)

# How long a re-enrolment may take after the current code was given.
REENROL_SECONDS = 10 * 60


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        # Where the next page would only redirect to the second factor (the middleware's rule:
        # required for the user's roles, not yet given in this session), go there at once:
        # not one more request that reads the session, the user and the memberships for it.
        if (
            DEVICE_ID_SESSION_KEY not in self.request.session
            and second_factor_page_first(urlsplit(url).path)
            and second_factor_required_for(self.request.user)
        ):
            return second_factor_url(url)
        return url


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # The browser drops what the offline queue kept on this device (IndexedDB, caches,
        # the service worker), even if the page's own script could not (docs/decisions/0020).
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Asks for the current password and, once set up, the current second factor."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")
    form_class = PasswordChangeWithSecondFactorForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if second_factor_required_for(user) and totp_device_confirmed(user=user) is None:
            # Set up the second factor first: a password alone must not change the password.
            return redirect(f"{reverse_lazy('accounts:two_factor')}?next={request.path}")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        password_change_record(user=form.user)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link an administrator sent: a new password, with the second factor if set up."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordWithSecondFactorForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        password_reset_complete_record(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Set up (first time) or verify the second factor for this session."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    confirmed = totp_device_confirmed(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        if second_factor_verify(request=request, token=token, confirmed=confirmed):
            return redirect(next_url or "home:home")
        form.add_error("token", _("The code did not match. Check the time on your phone."))
    context = {"form": form, "next": next_url, "setting_up": confirmed is None}
    if confirmed is None:
        device = totp_device_pending(user=request.user)
        context["qr_svg"] = _qr_svg(device.config_url)
        context["secret"] = _base32_secret(device)
    return render(request, "accounts/two_factor.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_replace(request):
    """A new authenticator (new phone): first the code of the current one, then the new one."""
    user = request.user
    if totp_device_confirmed(user=user) is None:
        return redirect("accounts:two_factor")
    started = request.session.get("emplus_reenrol_started", 0)
    if time.time() - started > REENROL_SECONDS:
        # Step 1: prove the current second factor.
        form = TokenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if second_factor_replace_begin(user=user, token=form.cleaned_data["token"]):
                request.session["emplus_reenrol_started"] = time.time()
                return redirect("accounts:two_factor_replace")
            form.add_error("token", _("The code did not match. Check the time on your phone."))
        return render(request, "accounts/two_factor_replace.html", {"form": form, "step": 1})
    # Step 2: scan the new key and confirm it with its first code.
    device = totp_device_pending(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor_replace(request=request, device=device, token=form.cleaned_data["token"]):
            request.session.pop("emplus_reenrol_started", None)
            messages.success(request, _("Your new authenticator app is in use."))
            return redirect("accounts:two_factor")
        form.add_error("token", _("The code did not match. Check the time on your phone."))
    context = {
        "form": form,
        "step": 2,
        "qr_svg": _qr_svg(device.config_url),
        "secret": _base32_secret(device),
    }
    return render(request, "accounts/two_factor_replace.html", context)


def _base32_secret(device) -> str:
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The user's own API tokens: list, create (the secret is shown once) and revoke."""
    user = request.user
    verified = session_is_verified(user)
    may_create = verified or not second_factor_required_for(user)
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and may_create and form.is_valid():
        try:
            token, secret = api_token_create(
                user=user, name=form.cleaned_data["name"], second_factor_verified=verified
            )
        except TooManyTokens:
            form.add_error(None, _("You have the most tokens allowed: revoke one first."))
        else:
            created = {"token": token, "secret": secret}
            form = ApiTokenForm()
    context = {
        "form": form,
        "created": created,
        "may_create": may_create,
        "tokens": selectors.api_token_list(user=user),
    }
    return render(request, "accounts/api_tokens.html", context)


@require_POST
def api_token_revoke_view(request, token_id: str):
    api_token_revoke(actor=request.user, token_id=token_id)
    messages.success(request, _("The token is revoked."))
    return redirect("accounts:api_tokens")
