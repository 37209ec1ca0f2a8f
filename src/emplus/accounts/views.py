"""Log-in, log-out, password change and the TOTP second factor."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from emplus.accounts.forms import TokenForm
from emplus.accounts.services import (
    second_factor_verify,
    totp_device_confirmed,
    totp_device_pending,
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Set up (first time) or verify the second factor for this session."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    confirmed = totp_device_confirmed(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(next_url or "core:home")
        form.add_error("token", _("The code did not match. Check the time on your phone."))
    context = {"form": form, "next": next_url, "setting_up": confirmed is None}
    if confirmed is None:
        device = totp_device_pending(user=request.user)
        context["qr_svg"] = _qr_svg(device.config_url)
        context["secret"] = _base32_secret(device)
    return render(request, "accounts/two_factor.html", context)


def _base32_secret(device) -> str:
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))
