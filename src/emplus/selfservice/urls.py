"""URLs of the coach's self-service pages: links, attested time and the offline queue.

Participants appear by their UUID only; months as YYYY-MM."""

from django.urls import path

from emplus.selfservice.views import links, offline, time

PARTICIPANT = "participants/<uuid:pk>/"
MONTH = PARTICIPANT + "time/<str:month>/"

app_name = "selfservice"
urlpatterns = [
    path(PARTICIPANT + "links/", links.participant_links, name="participant_links"),
    path("links/<uuid:link_pk>/", links.link_detail, name="link_detail"),
    path("links/<uuid:link_pk>/revoke/", links.link_revoke, name="link_revoke"),
    path("time/", time.overview, name="time_overview"),
    path("time/export.xlsx", time.export, name="time_export"),
    path(PARTICIPANT + "time/", time.participant_time, name="participant_time"),
    path(MONTH, time.month_page, name="month"),
    path(MONTH + "hours/", time.month_hours, name="month_hours"),
    path(MONTH + "paper/", time.month_paper, name="month_paper"),
    path(MONTH + "link/", time.month_link, name="month_link"),
    path("offline/", offline.outbox, name="outbox"),
    path("offline/shell/assessment/", offline.shell_assessment, name="shell_assessment"),
    path("offline/shell/event/", offline.shell_event, name="shell_event"),
    path("offline/shell/time/", offline.shell_time, name="shell_time"),
]
