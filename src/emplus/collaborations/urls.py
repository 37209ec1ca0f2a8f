from django.urls import path

from emplus.collaborations import views

app_name = "collaborations"
urlpatterns = [
    path("", views.collaboration_list, name="list"),
    path("export/", views.collaboration_export, name="export"),
    path("network/", views.network, name="network"),
    path("new/", views.collaboration_new, name="new"),
    path("<uuid:pk>/", views.collaboration_detail, name="detail"),
    path("<uuid:pk>/edit/", views.collaboration_edit, name="edit"),
    path("<uuid:pk>/close/", views.collaboration_close, name="close"),
    path("<uuid:pk>/documents/", views.document_add, name="document_add"),
    path("documents/<uuid:pk>/", views.document_download, name="document"),
    path("documents/<uuid:pk>/remove/", views.document_remove, name="document_remove"),
]
