from django.contrib.auth.decorators import login_not_required
from django.urls import path

from emplus.accounts import views
from emplus.core.permissions import authenticated


def public(view):
    """A page reached without log-in (log-in itself, a password-reset link)."""
    view = login_not_required(view)
    view.emplus_permission = "public"
    return view


app_name = "accounts"
urlpatterns = [
    path("login/", login_not_required(views.LoginView.as_view()), name="login"),
    path("logout/", authenticated(views.LogoutView.as_view()), name="logout"),
    path("password/", authenticated(views.PasswordChangeView.as_view()), name="password_change"),
    path(
        "password/done/",
        authenticated(views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        public(views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        public(views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("two-factor/", authenticated(views.two_factor), name="two_factor"),
    path("two-factor/replace/", authenticated(views.two_factor_replace), name="two_factor_replace"),
    path("tokens/", authenticated(views.api_tokens), name="api_tokens"),
    path(
        "tokens/<str:token_id>/revoke/",
        authenticated(views.api_token_revoke_view),
        name="api_token_revoke",
    ),
]
