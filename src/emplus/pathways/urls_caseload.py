"""URLs of the coach's pages: the caseload, registration and the participant page with its forms.

Participants appear in URLs by their UUID only, never by name or identity number."""

from django.urls import path

from emplus.pathways import views

ENROLMENT = "<uuid:pk>/enrolments/<uuid:enrolment_pk>/"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("new/", views.register, name="register"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/edit/", views.participant_edit, name="edit"),
    path("<uuid:pk>/consent/new/", views.consent_new, name="consent_new"),
    path(
        "<uuid:pk>/consent/<uuid:consent_pk>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("<uuid:pk>/share-request/", views.share_request, name="share_request"),
    path("<uuid:pk>/enrolments/new/", views.enrolment_new, name="enrolment_new"),
    path(ENROLMENT + "steps/new/", views.step_new, name="step_new"),
    path(ENROLMENT + "events/new/", views.event_new, name="event_new"),
    path(ENROLMENT + "goals/new/", views.goal_new, name="goal_new"),
    path(ENROLMENT + "assessments/new/", views.assessment_new, name="assessment_new"),
    path(ENROLMENT + "exit/", views.exit_record, name="exit"),
    path(ENROLMENT + "follow-up/", views.followup_record, name="followup"),
    path(ENROLMENT + "dates/", views.enrolment_dates, name="enrolment_dates"),
]
