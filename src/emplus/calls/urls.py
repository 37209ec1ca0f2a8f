from django.urls import path

from emplus.calls import views

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("new/", views.call_create, name="create"),
    path("<uuid:pk>/", views.call_detail, name="detail"),
    path("<uuid:pk>/edit/", views.call_edit, name="edit"),
]
