from django.urls import path

from emplus.worklife import views

app_name = "worklife"
urlpatterns = [
    path("employers/", views.employer_list, name="employer_list"),
    path("employers/new/", views.employer_new, name="employer_new"),
    path("employers/<uuid:pk>/", views.employer_detail, name="employer_detail"),
    path("employers/<uuid:pk>/edit/", views.employer_edit, name="employer_edit"),
    path("employers/<uuid:pk>/contacts/", views.employer_contact_add, name="employer_contact_add"),
    path(
        "employers/<uuid:pk>/contacts/<uuid:contact_pk>/remove/",
        views.employer_contact_remove,
        name="employer_contact_remove",
    ),
    path(
        "participants/<uuid:pk>/placements/",
        views.participant_placements,
        name="participant_placements",
    ),
    path("participants/<uuid:pk>/placements/new/", views.placement_new, name="placement_new"),
    path("placements/<uuid:pk>/edit/", views.placement_edit, name="placement_edit"),
    path("participants/<uuid:pk>/education/new/", views.education_new, name="education_new"),
    path("education/<uuid:pk>/edit/", views.education_edit, name="education_edit"),
    path("education/completion/", views.completion, name="completion"),
    path("income/stability/", views.income_stability, name="income_stability"),
    path("income/import/", views.income_import, name="income_import"),
    path("participants/<uuid:pk>/gigs/new/", views.gig_assignment_new, name="gig_new"),
    path("participants/<uuid:pk>/income/", views.income_add, name="income_add"),
    path("income/<uuid:pk>/delete/", views.income_delete, name="income_delete"),
]
