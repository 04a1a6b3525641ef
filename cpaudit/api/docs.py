"""The API's description as a page: the OpenAPI document laid out by tag, operation, parameter, body
and answer, rendered on the server (Swagger UI would need scripts and inline styles the platform's
Content Security Policy forbids)."""

import functools

METHODS = ("get", "post", "put", "patch", "delete")
STATUS_LABELS = {"200": "成功", "201": "已创建", "400": "数据有误", "401": "未认证", "403": "无权",
                 "404": "不存在或不在辖区内", "409": "状态冲突（含 seen 过期）", "422": "请求不符合接口说明"}


def _ref_name(schema: dict) -> str:
    return schema.get("$ref", "").rsplit("/", 1)[-1]


def type_label(schema: dict, components: dict) -> str:
    """A short description of a JSON schema: 'string', 'integer ≥ 1', 'EnterpriseOut', 'array of …'."""
    if "$ref" in schema:
        return _ref_name(schema)
    if "anyOf" in schema:
        parts = [type_label(s, components) for s in schema["anyOf"] if s.get("type") != "null"]
        optional = any(s.get("type") == "null" for s in schema["anyOf"])
        return " 或 ".join(dict.fromkeys(parts)) + ("（可为 null）" if optional else "")
    if "enum" in schema:
        return "：".join(["枚举", "、".join(str(v) for v in schema["enum"])])
    kind = schema.get("type", "object")
    if kind == "array":
        return f"{type_label(schema.get('items', {}), components)} 的列表"
    bounds = []
    for key, sign in (("minimum", "≥"), ("maximum", "≤"), ("maxLength", "长度≤"), ("format", "")):
        if key in schema:
            bounds.append(f"{sign}{schema[key]}")
    return kind + (f"（{'，'.join(bounds)}）" if bounds else "")


def _fields(schema: dict, components: dict) -> list[dict]:
    if "$ref" in schema:
        schema = components.get(_ref_name(schema), {})
    required = set(schema.get("required", []))
    return [{"name": name, "type": type_label(prop, components), "required": name in required,
             "description": prop.get("description", "")}
            for name, prop in schema.get("properties", {}).items()]


@functools.cache
def context() -> dict:
    from .api import api

    document = api.get_openapi_schema(path_prefix="/api/v1")
    components = document.get("components", {}).get("schemas", {})
    groups: dict[str, list] = {}
    for path, item in document["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            responses = []
            for status, answer in op.get("responses", {}).items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                responses.append({"status": status, "label": STATUS_LABELS.get(status, ""),
                                  "type": type_label(schema, components) if schema else ""})
            groups.setdefault((op.get("tags") or ["其他"])[0], []).append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "parameters": [{"name": p["name"], "where": p["in"], "required": p.get("required", False),
                                "type": type_label(p.get("schema", {}), components),
                                "description": p.get("description", "")} for p in op.get("parameters", [])],
                "body": {"type": type_label(body, components), "fields": _fields(body, components)} if body else None,
                "responses": responses,
            })
    schemas = [{"name": name, "fields": _fields(schema, components), "description": schema.get("description", "")}
               for name, schema in sorted(components.items()) if schema.get("properties")]
    return {"info": document["info"], "groups": list(groups.items()), "schemas": schemas}
