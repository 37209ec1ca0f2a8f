"""URLs of the participant import and export page (under /participants/import/)."""

from django.urls import path

from emplus.pathways.views import imports

urlpatterns = [
    path("", imports.import_start, name="import"),
    path("confirm/", imports.import_confirm, name="import_confirm"),
    path("export/", imports.export_download, name="export"),
]
