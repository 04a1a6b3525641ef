"""The REST API under /api/v1/ (django-ninja): OpenAPI 3 at /api/v1/openapi.json, a server-rendered
description at /api/v1/docs (views.docs: no script, no CDN, the platform's own CSP).

Every operation authenticates with a personal token (auth.TokenAuth) and then goes through the same
selectors, services and cpaudit.org.access as the pages; errors come in one shape (errors.py).
"""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from . import errors
from .auth import TokenAuth
from .routers import applications, campaigns, log, me, progress, registry, reports


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese as Chinese, not \\u escapes


class PlatformAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        # Answers carry personal and business data: never kept by a browser or a proxy.
        response["Cache-Control"] = "no-store"
        return response


api = PlatformAPI(
    title="清洁生产审核管理平台接口",
    version="1",
    description=(
        "以个人接口令牌认证（请求头 Authorization: Bearer <令牌>），权限与辖区与网页相同。"
        "列表均可分页（page、page_size）与筛选。错误统一为 {\"error\": {\"code\", \"message\", \"fields\"}}。"
        "评估/验收申请的每项决定须带上读取时得到的 seen 值，内容已变化时返回 409（code 为 stale）。"
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs_url=None,
    renderer=Renderer(),
)
errors.install(api)

for module in (me, registry, campaigns, progress, reports, applications, log):
    api.add_router("", module.router)
