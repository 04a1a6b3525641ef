"""Downloads and issue (签发) of the forms (Table 1 / Table 2) and of the batches' letters (views_documents)."""

from django.urls import re_path

from . import views_documents

urlpatterns: list = [
    re_path(r"^(?P<pk>\d+)/form\.(?P<fmt>docx|pdf)$", views_documents.form_download, name="form_download"),
    re_path(r"^batches/(?P<pk>\d+)/letter\.(?P<fmt>docx|pdf)$", views_documents.batch_download,
            name="batch_download"),
    # 签发 (POST): the form once the result is confirmed, a batch's letter (cpaudit.documents).
    re_path(r"^(?P<pk>\d+)/form/issue/$", views_documents.form_issue, name="form_issue"),
    re_path(r"^batches/(?P<pk>\d+)/letter/issue/$", views_documents.batch_issue, name="batch_issue"),
]
