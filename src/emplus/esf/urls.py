"""URLs of ESF projects and the monthly report; projects and files appear by UUID only."""

from django.urls import path, register_converter

from emplus.esf import views


class MonthConverter:
    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(MonthConverter, "month")

app_name = "esf"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<uuid:pk>/", views.project_detail, name="detail"),
    path("<uuid:pk>/edit/", views.project_edit, name="edit"),
    path("<uuid:pk>/participants/", views.project_participants, name="participants"),
    path("<uuid:pk>/template/", views.template_edit, name="template"),
    path("<uuid:pk>/template/upload/", views.template_upload, name="template_upload"),
    path("<uuid:pk>/months/<month:month>/", views.month_detail, name="month"),
    path("<uuid:pk>/months/<month:month>/generate/", views.month_generate, name="generate"),
    path("<uuid:pk>/files/<uuid:file_pk>/download/", views.file_download, name="download"),
    path("<uuid:pk>/files/<uuid:file_pk>/sent/", views.file_mark_sent, name="mark_sent"),
]
