from django.urls import include, path  # noqa: F401

from . import urls_documents

app_name = "applications"
urlpatterns: list = [
    *urls_documents.urlpatterns,
]
