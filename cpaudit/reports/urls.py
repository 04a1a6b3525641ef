"""Monthly report URLs. A month is written YYYY-MM in the path; an impossible month is a 404."""

import datetime as dt

from django.urls import path, register_converter

from . import views, views_city, views_documents, views_results, views_scans


class MonthConverter:
    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date(int(value[:4]), int(value[5:7]), 1)  # ValueError (month 13) → 404

    def to_url(self, value) -> str:
        return value if isinstance(value, str) else f"{value:%Y-%m}"


class FormatConverter:
    regex = r"docx|pdf|txt"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class ResultKindConverter:
    regex = r"evaluation|acceptance"  # applications.models.Kind: 评估, 验收

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MonthConverter, "month")
register_converter(FormatConverter, "reportfmt")
register_converter(ResultKindConverter, "resultkind")

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("versions/<int:pk>/", views_documents.version, name="version"),
    path("versions/<int:pk>/scan/", views_scans.scan_download, name="scan_download"),
    path("scans/<int:pk>/upload/", views_scans.scan_upload, name="scan_upload"),
    # 评估/验收 results summaries (branch → city → province), per campaign and phase.
    path("results/", views_results.results_index, name="results_index"),
    path("results/versions/<int:pk>/", views_results.results_version, name="results_version"),
    path("results/<slug:slug>/<resultkind:kind>/", views_results.results_list, name="results_list"),
    path("results/<slug:slug>/<resultkind:kind>/<int:agency_pk>/", views_results.results_document,
         name="results_document"),
    path("results/<slug:slug>/<resultkind:kind>/<int:agency_pk>/<reportfmt:fmt>/", views_results.results_download,
         name="results_download"),
    path("<slug:slug>/<month:month>/city/<int:agency_pk>/", views_city.city_overview, name="city_overview"),
    path("<slug:slug>/<month:month>/<int:agency_pk>/", views.branch_report, name="branch_report"),
    path("<slug:slug>/<month:month>/<int:agency_pk>/<reportfmt:fmt>/", views_documents.download, name="download"),
]
