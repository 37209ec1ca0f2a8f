"""URLs of the user guide."""

from django.urls import path

from emplus.help import views

app_name = "help"
urlpatterns = [
    path("", views.index, name="index"),
    # Before the section pattern: the log-in page's help is public.
    path("login/", views.login_help, name="login"),
    path("<slug:slug>/", views.section, name="section"),
]
