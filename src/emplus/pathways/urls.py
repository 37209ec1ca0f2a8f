"""URLs of the pathway module; each part keeps its own module so they can grow apart."""

from django.urls import include, path

app_name = "pathways"
urlpatterns = [
    path("", include("emplus.pathways.urls_caseload")),
    path("import/", include("emplus.pathways.urls_import")),
    path("rights/", include("emplus.pathways.urls_rights")),
]
