from django.urls import path

from emplus.testbeds import views

app_name = "testbeds"
urlpatterns = [
    path("", views.test_bed_list, name="list"),
    path("new/", views.test_bed_create, name="create"),
    path("<str:code>/", views.test_bed_detail, name="detail"),
    path("<str:code>/edit/", views.test_bed_edit, name="edit"),
    path("<str:code>/goals/", views.goal_add, name="goal_add"),
    path("<str:code>/learning-log/", views.learning_log_add, name="learning_log_add"),
]
