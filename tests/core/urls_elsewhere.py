"""A URL configuration of one page, for tests/core/test_reversing.py."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("elsewhere/", lambda request: HttpResponse(), name="start")]
