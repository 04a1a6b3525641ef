"""Downloads of the forms (Table 1 / Table 2) and of the batches' letters (owned by views_documents)."""

from django.urls import re_path

from . import views_documents

urlpatterns: list = [
    re_path(r"^(?P<pk>\d+)/form\.(?P<fmt>docx|pdf)$", views_documents.form_download, name="form_download"),
    re_path(r"^batches/(?P<pk>\d+)/letter\.(?P<fmt>docx|pdf)$", views_documents.batch_download,
            name="batch_download"),
]
