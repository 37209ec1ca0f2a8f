"""URLs of the data-subject rights pages; participants appear by their UUID only."""

from django.urls import include, path

from emplus.pathways.views import rights

rights_patterns = (
    [
        path("", rights.index, name="index"),
        path("<uuid:pk>/", rights.participant, name="participant"),
        path("<uuid:pk>/export.json", rights.export_json, name="export_json"),
        path("<uuid:pk>/export/", rights.export_page, name="export_page"),
        path("<uuid:pk>/erase/", rights.erase, name="erase"),
    ],
    "rights",
)

urlpatterns = [path("", include(rights_patterns))]
