"""URLs of the participant import and export page (under /participants/import/)."""

from django.urls import path

from emplus.pathways.views import import_errors, imports

urlpatterns = [
    path("", imports.import_start, name="import"),
    path("confirm/", imports.import_confirm, name="import_confirm"),
    path("errors/", import_errors.import_errors_download, name="import_errors"),
    path("export/", imports.export_download, name="export"),
]
