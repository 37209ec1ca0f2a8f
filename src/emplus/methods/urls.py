from django.urls import path

from emplus.methods import views

app_name = "methods"
urlpatterns = [
    path("", views.method_list, name="list"),
    path("thematic-areas/", views.thematic_area_list, name="thematic_area_list"),
    path("thematic-areas/<str:code>/", views.thematic_area_detail, name="thematic_area"),
    path("<str:code>/", views.method_detail, name="detail"),
]
