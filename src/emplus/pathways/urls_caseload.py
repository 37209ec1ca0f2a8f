"""URLs of the coach's pages: the caseload, registration and the participant page with its forms.

Participants appear in URLs by their UUID only, never by name or identity number."""

from django.urls import path

from emplus.pathways.views import caseload, participant, records

ENROLMENT = "<uuid:pk>/enrolments/<uuid:enrolment_pk>/"

urlpatterns = [
    path("", caseload.caseload, name="caseload"),
    path("new/", caseload.register, name="register"),
    path("<uuid:pk>/", participant.detail, name="detail"),
    path("<uuid:pk>/edit/", participant.participant_edit, name="edit"),
    path("<uuid:pk>/consent/new/", participant.consent_new, name="consent_new"),
    path(
        "<uuid:pk>/consent/<uuid:consent_pk>/withdraw/",
        participant.consent_withdraw,
        name="consent_withdraw",
    ),
    path("<uuid:pk>/share-request/", participant.share_request, name="share_request"),
    path("<uuid:pk>/enrolments/new/", records.enrolment_new, name="enrolment_new"),
    path(ENROLMENT + "steps/new/", records.step_new, name="step_new"),
    path(ENROLMENT + "events/new/", records.event_new, name="event_new"),
    path(ENROLMENT + "goals/new/", records.goal_new, name="goal_new"),
    path(ENROLMENT + "assessments/new/", records.assessment_new, name="assessment_new"),
    path(ENROLMENT + "exit/", records.exit_record, name="exit"),
    path(ENROLMENT + "follow-up/", records.followup_record, name="followup"),
    path(ENROLMENT + "dates/", records.enrolment_dates, name="enrolment_dates"),
]
