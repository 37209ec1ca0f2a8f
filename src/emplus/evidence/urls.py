from django.urls import path

from emplus.evidence import views

app_name = "evidence"
urlpatterns = [
    path("indicators/", views.indicators, name="indicators"),
    path("progression/", views.progression, name="progression"),
    path("effects/", views.effects, name="effects"),
    path("effects/<uuid:pk>/", views.effect, name="effect"),
]
