from django.urls import path

from emplus.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_new, name="new"),
    path("<uuid:pk>/", views.plan_detail, name="detail"),
    path("<uuid:pk>/edit/", views.plan_edit, name="edit"),
    path("<uuid:pk>/print/", views.plan_print, name="print"),
    path("<uuid:pk>/export.xlsx", views.plan_export, name="export"),
    path("<uuid:pk>/goals/new/", views.goal_new, name="goal_new"),
    path("goals/<uuid:goal_pk>/edit/", views.goal_edit, name="goal_edit"),
    path("goals/<uuid:goal_pk>/delete/", views.goal_delete, name="goal_delete"),
    path("goals/<uuid:goal_pk>/actions/new/", views.action_new, name="action_new"),
    path("goals/<uuid:goal_pk>/values/new/", views.value_new, name="value_new"),
    path("actions/<uuid:action_pk>/status/", views.action_status, name="action_status"),
]
