from django.urls import path

from emplus.calls import consortium_views, views

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("new/", views.call_create, name="create"),
    path("export/", views.call_export, name="export"),
    path("<uuid:pk>/", views.call_detail, name="detail"),
    path("<uuid:pk>/edit/", views.call_edit, name="edit"),
    path("<uuid:pk>/partners/", consortium_views.suggestions, name="suggestions"),
    path("<uuid:pk>/consortia/", consortium_views.consortium_create, name="consortium_create"),
    path("consortia/<uuid:pk>/", consortium_views.consortium_detail, name="consortium"),
    path("consortia/<uuid:pk>/partners/", consortium_views.partner_add, name="partner_add"),
    path(
        "consortia/<uuid:pk>/partners/<uuid:partner_pk>/",
        consortium_views.partner_edit,
        name="partner_edit",
    ),
    path(
        "consortia/<uuid:pk>/partners/<uuid:partner_pk>/remove/",
        consortium_views.partner_remove,
        name="partner_remove",
    ),
    path(
        "consortia/<uuid:pk>/annex.<str:file_format>",
        consortium_views.annex,
        name="annex",
    ),
]
