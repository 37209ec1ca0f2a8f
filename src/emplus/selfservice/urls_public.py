"""The participant's one-time link: short, for a QR code; the only public page of the app."""

from django.urls import path

from emplus.selfservice.views import public

app_name = "selfservice_public"
urlpatterns = [
    # Any token shape reaches the view (which checks it), so a mistyped link gets the kind
    # page rather than a bare 404.
    path("<str:token>/", public.link_page, name="link"),
]
