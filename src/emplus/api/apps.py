from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "emplus.api"
    label = "api"
    verbose_name = "API"
