"""URLs of the participant import and export page (under /participants/import/)."""

from django.urls import path

from emplus.pathways import views_import

urlpatterns = [
    path("", views_import.import_start, name="import"),
    path("confirm/", views_import.import_confirm, name="import_confirm"),
    path("export/", views_import.export_download, name="export"),
]
