from django.urls import path

from emplus.skills import views

app_name = "skills"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("gap/", views.gap, name="gap"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/export/", views.need_export, name="need_export"),
    path("needs/<uuid:pk>/delete/", views.need_delete, name="need_delete"),
    path("areas/", views.area_list, name="areas"),
    path("areas/new/", views.area_new, name="area_new"),
    path("areas/<str:code>/", views.area_edit, name="area_edit"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_new, name="course_new"),
    path("courses/export/", views.course_export, name="course_export"),
    path("courses/<uuid:pk>/", views.course_detail, name="course_detail"),
    path("courses/<uuid:pk>/edit/", views.course_edit, name="course_edit"),
    path("courses/<uuid:pk>/occasions/", views.occasion_add, name="occasion_add"),
    path("occasions/<uuid:pk>/register/", views.registration_add, name="registration_add"),
    path("registrations/", views.registration_list, name="registration_list"),
    path("registrations/export/", views.registration_export, name="registration_export"),
    path(
        "registrations/<uuid:pk>/complete/",
        views.registration_complete,
        name="registration_complete",
    ),
    path("profile/", views.my_profile, name="my_profile"),
    path("profile/<uuid:pk>/", views.profile, name="profile"),
]
