from django.urls import path

from emplus.worklife.views import (
    education,
    employers,
    exports,
    income,
    participant,
    placements,
    results,
)

app_name = "worklife"
urlpatterns = [
    path("employers/", employers.employer_list, name="employer_list"),
    path("employers/new/", employers.employer_new, name="employer_new"),
    path("employers/<uuid:pk>/", employers.employer_detail, name="employer_detail"),
    path("employers/<uuid:pk>/edit/", employers.employer_edit, name="employer_edit"),
    path(
        "employers/<uuid:pk>/contacts/",
        employers.employer_contact_add,
        name="employer_contact_add",
    ),
    path(
        "employers/<uuid:pk>/contacts/<uuid:contact_pk>/remove/",
        employers.employer_contact_remove,
        name="employer_contact_remove",
    ),
    path(
        "participants/<uuid:pk>/placements/",
        participant.participant_placements,
        name="participant_placements",
    ),
    path("participants/<uuid:pk>/placements/new/", placements.placement_new, name="placement_new"),
    path("placements/<uuid:pk>/edit/", placements.placement_edit, name="placement_edit"),
    path("participants/<uuid:pk>/education/new/", education.education_new, name="education_new"),
    path("education/<uuid:pk>/edit/", education.education_edit, name="education_edit"),
    path("education/completion/", education.completion, name="completion"),
    path("income/stability/", income.income_stability, name="income_stability"),
    path("income/import/", income.income_import, name="income_import"),
    path("participants/<uuid:pk>/gigs/new/", income.gig_assignment_new, name="gig_new"),
    path("participants/<uuid:pk>/income/", income.income_add, name="income_add"),
    path("income/<uuid:pk>/delete/", income.income_delete, name="income_delete"),
    path("placements/outcomes/", results.placement_outcomes, name="placement_outcomes"),
    path("exports/employers/", exports.employers, name="export_employers"),
    path("exports/placements/", exports.placements, name="export_placements"),
    path("exports/education/", exports.education, name="export_education"),
    path("exports/gig-assignments/", exports.gig_assignments, name="export_gig_assignments"),
    path("exports/income/", exports.income, name="export_income"),
    path("exports/income-stability/", exports.stability, name="export_stability"),
]
