from django.urls import path

from . import (
    urls_documents,
    views,
    views_batches,
    views_files,
    views_form,
    views_paper,
    views_summary,
    views_withdraw,
)

app_name = "applications"
urlpatterns: list = [
    path("", views.index, name="index"),
    path("export/", views.index_export, name="index_export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views_form.edit, name="edit"),
    path("<int:pk>/withdraw/", views_withdraw.withdraw, name="withdraw"),
    path("start/<int:pk>/", views_form.start, name="start"),
    path("batches/", views_batches.batch_list, name="batch_list"),
    path("batches/new/", views_batches.batch_new, name="batch_new"),
    path("batches/<int:pk>/", views_batches.batch_detail, name="batch_detail"),
    path("summary/", views_summary.summary, name="summary"),
    path("<int:pk>/attachments/", views_files.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views_files.attachment_download, name="attachment_download"),
    path("<int:pk>/assistance/", views_files.assistance_request, name="assistance_request"),
    path("assistance/<int:pk>/record/", views_files.assistance_record, name="assistance_record"),
    path("corrections/<int:pk>/review/", views_files.correction_review, name="correction_review"),
    path("paper/", views_paper.paper_list, name="paper_list"),
    path("paper/<int:pk>/remove/", views_paper.paper_remove, name="paper_remove"),
    *urls_documents.urlpatterns,
]
