from django.urls import path

from emplus.geo import views

app_name = "geo"
urlpatterns = [
    path("", views.geo_index, name="index"),
    path("counties/<str:code>/", views.county_detail, name="county"),
    path("municipalities/", views.municipality_list, name="municipality_list"),
    path("municipalities/<str:code>/", views.municipality_detail, name="municipality"),
]
