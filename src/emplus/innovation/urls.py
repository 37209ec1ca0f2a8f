from django.urls import path

from emplus.innovation import views

app_name = "innovation"
urlpatterns = [
    path("", views.board, name="board"),
    path("ideas/", views.idea_list, name="list"),
    path("ideas/export/", views.idea_export, name="export"),
    path("ideas/new/", views.idea_new, name="idea_new"),
    path("ideas/<uuid:pk>/", views.idea_detail, name="idea"),
    path("ideas/<uuid:pk>/move/<str:stage>/", views.idea_move, name="idea_move"),
    path("ideas/<uuid:pk>/adoptions/", views.adoption_add, name="adoption_add"),
    path("strategy/<uuid:pk>/", views.strategy, name="strategy"),
    path("strategy/<uuid:pk>/goals/", views.goal_add, name="goal_add"),
]
