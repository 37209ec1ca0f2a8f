from django.urls import path

from emplus.mapping import views

app_name = "mapping"
urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("white-spots/", views.white_spots, name="white_spots"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<uuid:pk>/", views.activity_detail, name="activity"),
    path("activities/<uuid:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("search/", views.search, name="search"),
    path("organisations/", views.organisation_role_list, name="organisation_roles"),
    path("organisations/<uuid:pk>/", views.organisation_role, name="organisation_role"),
]
