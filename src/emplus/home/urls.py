"""URL of the start page."""

from django.urls import path

from emplus.home import views

app_name = "home"
urlpatterns = [path("", views.home, name="home")]
