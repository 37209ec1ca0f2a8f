from django.urls import path

from emplus.testbeds import views

app_name = "testbeds"
urlpatterns = [
    path("", views.test_bed_list, name="list"),
    path("<str:code>/", views.test_bed_detail, name="detail"),
    path("<str:code>/learning-log/", views.learning_log_add, name="learning_log_add"),
]
