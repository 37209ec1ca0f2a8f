from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("emplus.core.urls")),
    path("accounts/", include("emplus.accounts.urls")),
    path("organisations/", include("emplus.organisations.urls")),
    path("geo/", include("emplus.geo.urls")),
    path("api/", include("emplus.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
