"""The API (/api/v1/…, namespace api-v1: its operations are covered by tests/api's token matrix) and
the token pages (/api-tokens/…, namespace api_tokens: in the page matrix)."""

from django.urls import path, re_path

from . import views
from .api import api
from .errors import body


def api_not_found(request, rest=""):
    """Any other address under /api/ answers in the API's shape, not with an HTML page."""
    from django.http import JsonResponse

    response = JsonResponse(body("not_found", "没有这个接口地址"), status=404,
                            json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


api_patterns = [
    path("api/v1/docs", views.api_docs, name="api_docs"),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found, name="api_not_found"),
]

token_patterns = ([
    path("", views.token_list, name="token_list"),
    path("<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
], "api_tokens")
