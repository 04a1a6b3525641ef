"""Pages of the API app: each user's own tokens (create — the secret shown once —, list, revoke), and
the API's description rendered on the server from the OpenAPI document (no script, no CDN: the same
Content Security Policy as every page)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import defaults
from django.views.decorators.http import require_POST

from cpaudit.core import clock
from cpaudit.core.errors import InvalidState
from cpaudit.core.views import add_validation_errors, domain_view

from . import docs, tokens
from .models import ApiToken

STATE_LABELS = {"active": "有效", "expired": "已到期", "revoked": "已撤销"}


class TokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=60, help_text="如：进展数据同步脚本；便于日后辨认和撤销")


def _no_store(response):
    # The page shows a secret once (and lists credentials): never kept by a browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response


@domain_view
def token_list(request):
    user = request.user
    form = TokenForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = tokens.token_create(actor=user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except InvalidState as exc:
            form.add_error(None, exc.message)
        else:
            form = TokenForm()
    now = clock.business_now()
    rows = [{"token": t, "state": t.state(now), "label": STATE_LABELS[t.state(now)]}
            for t in ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")]
    return _no_store(render(request, "api/tokens.html", {
        "form": form, "secret": secret, "rows": rows, "days": tokens.lifetime_days(),
        "max_active": tokens.MAX_ACTIVE}))


@domain_view
@require_POST
def token_revoke(request, pk):
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:  # someone else's token is not disclosed
        raise Http404("没有这个令牌")
    tokens.token_revoke(actor=request.user, token=token)
    messages.success(request, f"已撤销令牌：{token}")
    return redirect("api_tokens:token_list")


def bad_request(request, exception=None):
    """Django's 400 (a request refused before any view, e.g. a NUL in the query string): in the API's
    error shape under /api/, the platform's page elsewhere."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        from .errors import body

        message = str(exception.args[0]) if exception is not None and exception.args else "请求无法处理"
        response = JsonResponse(body("bad_request", message), status=400, json_dumps_params={"ensure_ascii": False})
        response["Cache-Control"] = "no-store"
        return response
    return defaults.bad_request(request, exception)


def api_docs(request):
    """The API's operations, parameters, bodies and answers, from the OpenAPI document (public, like the
    document itself: it describes the interface, never data)."""
    return render(request, "api/docs.html", docs.context())
