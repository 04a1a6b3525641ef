"""Every refusal in one JSON shape: {"error": {"code", "message", "fields"}}.

`code` is stable (programs branch on it), `message` is Chinese (people read it), `fields` names the
inputs at fault. 400 the body is not JSON or a service refused the values (ValidationError, by field);
401 no usable token; 403 the role may not (PermissionDenied); 404 nothing there or not in the user's
jurisdiction (never disclosed which); 409 the state does not allow it (InvalidState: its own code, e.g.
"stale" when the `seen` token is out of date); 422 the request does not match the schema.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, ValidationError
from django.db import IntegrityError
from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from cpaudit.core.errors import DomainError, InvalidState, PermissionDenied

logger = logging.getLogger(__name__)


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Schema):
    error: ErrorDetail


ERROR_STATUSES = (400, 401, 403, 404, 409, 422)


def responses(ok, status: int = 200) -> dict:
    """The responses an operation documents: its result and every error status, one schema."""
    return {status: ok, **{code: ErrorOut for code in ERROR_STATUSES}}


class TokenError(Exception):
    """A token that does not authenticate (401), with the reason as a stable code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


# pydantic's error types in Chinese; ctx values are filled in where the message names a bound.
SCHEMA_MESSAGES = {
    "missing": "必须填写",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "greater_than_equal": "应不小于{ge}", "less_than_equal": "应不大于{le}",
    "greater_than": "应大于{gt}", "less_than": "应小于{lt}",
    "string_type": "应为文本", "string_too_long": "不能超过{max_length}个字符",
    "string_too_short": "不能少于{min_length}个字符", "string_pattern_mismatch": "格式不正确或含有不允许的字符",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "date_parsing": "应为日期（YYYY-MM-DD）", "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD）", "date_type": "应为日期（YYYY-MM-DD）",
    "decimal_parsing": "应为数字", "decimal_type": "应为数字", "decimal_max_digits": "数值过大或小数位过多",
    "decimal_max_places": "小数位过多", "decimal_whole_digits": "数值过大", "finite_number": "应为有限的数字",
    "literal_error": "应为以下之一：{expected}", "enum": "应为以下之一：{expected}",
    "dict_type": "应为对象", "model_type": "应为对象", "model_attributes_type": "应为对象",
    "list_type": "应为列表", "too_long": "最多{max_length}项", "too_short": "至少{min_length}项",
    "extra_forbidden": "不接受此字段", "json_invalid": "不是有效的 JSON",
}


def _schema_message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    template = SCHEMA_MESSAGES.get(kind)
    if template is None:
        # Our own validators (types.py) raise PydanticCustomError with a Chinese message.
        message = error.get("msg", "")
        return message if kind in ("text_surrogate", "date_range") else "格式不正确"
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def _field_name(loc) -> str:
    # loc starts with the source ("query", "path", or "body" and the body parameter's name); the
    # field's own path follows.
    skip = 2 if loc[:1] == ("body",) and len(loc) > 2 else 1
    parts = [str(p) for p in loc[skip:]] or [str(p) for p in loc]
    return ".".join(parts) or "request"


def schema_fields(errors: list[dict]) -> dict[str, str]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(_schema_message(error))
    return {name: "；".join(dict.fromkeys(messages)) for name, messages in fields.items()}


def validation_fields(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {name.removesuffix("_id"): "；".join(errors) for name, errors in exc.message_dict.items()}
    return {}


def install(api) -> None:
    """Register the handlers on the NinjaAPI instance (later registrations replace ninja's defaults)."""

    def respond(request, status, code, message, fields=None):
        return api.create_response(request, body(code, message, fields), status=status)

    @api.exception_handler(SchemaError)
    def _schema(request, exc):
        fields = schema_fields(exc.errors)
        listed = "；".join(f"{name}：{message}" for name, message in fields.items())
        return respond(request, 422, "invalid_input", f"请求参数不符合接口说明：{listed}", fields)

    @api.exception_handler(ValidationError)
    def _invalid(request, exc):
        fields = validation_fields(exc)
        message = "；".join(exc.messages) if exc.messages else "提交的数据有误"
        return respond(request, 400, "validation_failed", message, fields)

    @api.exception_handler(TokenError)
    def _token(request, exc):
        response = respond(request, 401, exc.code, exc.message)
        response["WWW-Authenticate"] = 'Bearer realm="cpaudit"'
        return response

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        response = respond(request, 401, "token_missing",
                           "请在请求头 Authorization 中提供接口令牌：Bearer <令牌>（令牌在“接口令牌”页面创建）")
        response["WWW-Authenticate"] = 'Bearer realm="cpaudit"'
        return response

    @api.exception_handler(PermissionDenied)
    def _denied(request, exc):
        return respond(request, 403, "permission_denied", exc.message)

    @api.exception_handler(DjangoPermissionDenied)
    def _django_denied(request, exc):
        return respond(request, 403, "permission_denied", str(exc) or "无权访问")

    @api.exception_handler(Http404)
    def _missing(request, exc):
        return respond(request, 404, "not_found", "对象不存在或不在您的管理范围内")

    @api.exception_handler(InvalidState)
    def _state(request, exc):
        return respond(request, 409, exc.code, exc.message)

    @api.exception_handler(DomainError)
    def _domain(request, exc):
        return respond(request, 409, exc.code, exc.message)

    @api.exception_handler(IntegrityError)
    def _integrity(request, exc):
        # A uniqueness the service could not see coming (two requests at once): a conflict, not a fault.
        return respond(request, 409, "conflict", "与已有记录冲突（可能已由他人同时提交），请刷新后重试")

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request, exc):
        return respond(request, 400, "too_large", "请求体过大")

    @api.exception_handler(SuspiciousOperation)
    def _suspicious(request, exc):
        return respond(request, 400, "bad_request", "请求无法处理")

    @api.exception_handler(HttpError)
    def _http(request, exc):
        if exc.status_code == 400:
            return respond(request, 400, "bad_request", "请求体不是有效的 JSON")
        return respond(request, exc.status_code, "error", str(exc))

    @api.exception_handler(Exception)
    def _fault(request, exc):
        logger.exception("API error on %s", request.path)
        return respond(request, 500, "server_error", "服务器内部错误，请稍后重试或联系系统管理员")
