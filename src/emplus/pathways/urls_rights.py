"""URLs of the data-subject rights pages; participants appear by their UUID only."""

from django.urls import include, path

from emplus.pathways import views_rights

rights_patterns = (
    [
        path("", views_rights.index, name="index"),
        path("<uuid:pk>/", views_rights.participant, name="participant"),
        path("<uuid:pk>/export.json", views_rights.export_json, name="export_json"),
        path("<uuid:pk>/export/", views_rights.export_page, name="export_page"),
        path("<uuid:pk>/erase/", views_rights.erase, name="erase"),
    ],
    "rights",
)

urlpatterns = [path("", include(rights_patterns))]
