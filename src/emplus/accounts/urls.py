from django.contrib.auth.decorators import login_not_required
from django.urls import path

from emplus.accounts import views
from emplus.core.permissions import authenticated

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
    path("two-factor/", authenticated(views.two_factor), name="two_factor"),
]
