from django.urls import include, path

from cpaudit.api.urls import api_patterns, token_patterns

# A failure of storage (disk, directories, the database) is a 503 page saying nothing was saved; any
# other uncaught error the plain 500 page (cpaudit.core.storage).
handler500 = "cpaudit.core.storage.server_error"
# A request refused before any view (e.g. NUL in the query): under /api/ in the API's error shape
# (cpaudit.api.views.bad_request); a session the database refused to save: the storage 503 above.
handler400 = "cpaudit.core.storage.bad_request"

urlpatterns = [
    path("", include("cpaudit.core.urls")),
    path("registry/", include("cpaudit.registry.urls")),
    path("campaigns/", include("cpaudit.campaigns.urls")),
    path("progress/", include("cpaudit.progress.urls")),
    path("jobs/", include("cpaudit.jobs.urls")),
    path("org/", include("cpaudit.org.urls")),
    path("reports/", include("cpaudit.reports.urls")),
    path("applications/", include("cpaudit.applications.urls")),
    path("experts/", include("cpaudit.experts.urls")),
    path("integrity/", include("cpaudit.integrity.urls")),
    path("oversight/", include("cpaudit.oversight.urls")),
    path("security/", include("cpaudit.security.urls")),
    path("coverage/", include("cpaudit.coverage.urls")),
    path("spotchecks/", include("cpaudit.spotchecks.urls")),
    path("assessment/", include("cpaudit.assessment.urls")),
    path("workbench/", include("cpaudit.workbench.urls")),
    path("api-tokens/", include(token_patterns)),
    path("help/", include("cpaudit.core.guide")),  # the user guide per role (docs/guide/)
    *api_patterns,
    # Public: whether a file is a document the platform issued (no login).
    path("verify/", include("cpaudit.documents.urls")),
    # Public: the campaigns' disclosure (公示) — scope, results, spot checks, circulars (no login).
    path("public/", include("cpaudit.disclosure.urls")),
]
