from django.urls import path

from emplus.methods import views

app_name = "methods"
urlpatterns = [
    path("", views.method_list, name="list"),
    path("new/", views.method_create, name="create"),
    path("thematic-areas/", views.thematic_area_list, name="thematic_area_list"),
    path("thematic-areas/<str:code>/", views.thematic_area_detail, name="thematic_area"),
    path("thematic-areas/<str:code>/edit/", views.thematic_area_edit, name="thematic_area_edit"),
    path("<str:code>/edit/", views.method_edit, name="edit"),
    path("<str:code>/", views.method_detail, name="detail"),
]
