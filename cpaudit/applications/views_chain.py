"""The decisions on an application's page: which single action the user may take in the current state
(a cheap pre-check of role and agency; the service re-checks everything), the POST that takes it (one
service call), and the page's context (the form as submitted, the route, whose turn it is, the
decisions, the result).

InvalidState and ValidationError become a message (on top, or next to the field they concern) and
change nothing; PermissionDenied propagates to domain_view (403).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from cpaudit.core.errors import InvalidState
from cpaudit.org import access
from cpaudit.org.roles import GOVERNMENT_ROLES, Role

from . import formspec, services, transitions, views_files
from .forms import ConfirmForm, DecisionForm, ProposeForm, RecordForm
from .models import EDITABLE, RESULT_LABELS, Level, Outcome, Status, Step
from .services.basis import result_extra, seen_token
from .services.chain import DEFAULT_OPINION, OPINION_REQUIRED

PANEL_STATES = (Status.ORGANIZING, Status.RESULT_PENDING, Status.PASSED, Status.FAILED)
# Errors the services raise about one input: shown next to it rather than on top.
FIELD_CODES = {"reason_required": "opinion", "opinion_required": "opinion", "wrong_outcome": "outcome"}
# A role's own level: a state of another level offered to it is a paper reply it records.
ROLE_LEVEL = {role: level for (level, _desk), role in transitions.ROLES.items()}


def todo_label(user, application) -> str:
    """The action a to-do row names: the label of the state's row (the paper row when the user records
    a higher level's reply). No query: the to-do list names many applications."""
    role = getattr(user, "role", None)
    if role == Role.EXPERT:
        return "评分"
    party = transitions.STATE_PARTY.get(application.status)
    if party is None:
        return ""
    level = application.organizer_level if party == transitions.ORGANIZER else party
    paper = party != transitions.ENTERPRISE and ROLE_LEVEL.get(role) not in (None, level)
    rows = [r for r in transitions.TRANSITIONS if r.source == application.status and r.paper == paper]
    return rows[0].label if rows else ""


def _route(application):
    try:
        return services.chain_route(application), ""
    except InvalidState as exc:
        return None, exc.message


# --- the one action --------------------------------------------------------------------------------

def _action(user, application, route) -> str | None:
    """edit | decide | batch | propose | confirm | record | None: what the page offers this user now."""
    if application.status in EDITABLE:
        return "edit" if access.allowed(user, "applications.application.prepare") else None
    if route is None:
        return None
    turn = transitions.owner(application.status, route)
    if turn is None or not turn.includes(user):
        return None
    return transitions.rows_in(application.status, route)[0].page


def _decision_form(application, route, data=None):
    step = transitions.rows_in(application.status, route)[0].step
    if step in OPINION_REQUIRED:
        help_text = "必填；将打印在申请表相应栏目中；退回时填写退回原因"
    elif step in DEFAULT_OPINION:
        help_text = f"同意时可留空（即“{DEFAULT_OPINION[step]}”）；退回时必填（退回原因）"
    else:
        help_text = "同意时可留空；退回时必填（退回原因）"
    # Not prefilled: a prefilled "同意上报" would become the reason of a hasty 退回.
    return DecisionForm(data, kind=application.kind, step=step, with_checks=step == Step.BRANCH_REVIEW,
                        opinion_help=help_text)


def panel_outcome(application):
    """The panel's derived result, or None while the experts module is unavailable."""
    try:
        from cpaudit.experts.services import panel_outcome as outcome
    except (ImportError, AttributeError):
        return None
    return outcome(application)


def _record_form(application, route, data=None, files=None):
    row = transitions.rows_in(application.status, route)[0]
    names_organizer = row.action == "city_reply" and route.organizer_level == Level.CITY
    return RecordForm(data, files, result=row.outcome in (transitions.PASS, transitions.FAIL), kind=application.kind,
                      names_organizer=names_organizer)


def _fresh_form(kind, application, route):
    if kind == "decide":
        return _decision_form(application, route)
    if kind == "record":
        return _record_form(application, route)
    if kind == "propose":
        return ProposeForm()
    if kind == "confirm":
        return ConfirmForm()
    return None


def _fail(request, form, exc) -> None:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                if field in form.fields:
                    for error in errors:
                        form.add_error(field, error)
                else:
                    messages.error(request, "；".join(errors))
        else:
            messages.error(request, "；".join(exc.messages))
        return
    field = FIELD_CODES.get(getattr(exc, "code", ""))
    if field and field in form.fields:
        form.add_error(field, exc.message)
    else:
        messages.error(request, exc.message)


def handle(request, application):
    """One POST, one service call. Returns (done, the bound form to show again when not done)."""
    user, action = request.user, request.POST.get("action")
    if action == "record":
        route, error = _route(application)
        if route is None or not transitions.rows_in(application.status, route):
            messages.error(request, error or "该申请当前没有需要录入的来文（可能已由他人处理，请刷新页面）")
            return False, None
        form = _record_form(application, route, request.POST, request.FILES)
    elif action == "decide":
        form = DecisionForm(request.POST, kind=application.kind, step=request.POST.get("step", ""),
                            with_checks=request.POST.get("step") == Step.BRANCH_REVIEW)
    elif action == "propose":
        form = ProposeForm(request.POST)
    elif action == "confirm":
        form = ConfirmForm(request.POST)
    else:
        messages.error(request, "请选择要执行的操作")
        return False, None
    if not form.is_valid():
        return False, (action, form)
    data = form.cleaned_data
    try:
        if action == "record":
            services.application_record_reply(
                actor=user, application=application, outcome=data["outcome"], opinion=data["opinion"],
                signer=data["signer"], source_date=data["source_date"], source_number=data["source_number"],
                scan=data["scan"], organizer_level=data.get("organizer_level") or "", seen=data["seen"])
            text = "已录入来文" if data["outcome"] != Outcome.RETURN else "已按来文退回企业"
        elif action == "decide":
            services.application_decide(actor=user, application=application, step=data["step"],
                                        outcome=data["outcome"], opinion=data["opinion"], checks=form.checks(),
                                        seen=data["seen"])
            text = "已退回企业" if data["outcome"] == Outcome.RETURN else "已提交意见"
        elif action == "propose":
            services.application_result_propose(actor=user, application=application, opinion=data["opinion"],
                                                seen=data["seen"])
            text = "已提出结论，待负责人确认"
        else:
            services.application_result_confirm(actor=user, application=application, outcome=data["outcome"],
                                                opinion=data["opinion"], seen=data["seen"])
            text = "已退回重新组织" if data["outcome"] == Outcome.RETURN else "已确认结论"
    except (InvalidState, ValidationError) as exc:
        if getattr(exc, "code", "") == "stale":  # a fresh form, bound to what the page shows now
            messages.error(request, exc.message)
            return False, None
        _fail(request, form, exc)
        return False, (action, form)
    messages.success(request, text)
    return True, None


# --- the page --------------------------------------------------------------------------------------

def _fields(kind, fields) -> list[dict]:
    rows = []
    for item in fields:
        try:
            text = formspec.display(kind, item["key"], item.get("value"))
        except StopIteration:  # a field no longer in the spec: print the stored value
            text = "" if item.get("value") in (None, "") else str(item["value"])
        rows.append({"label": item.get("label", item["key"]), "value": text})
    return rows


def _draft_fields(application) -> list[dict]:
    data = application.form_data or {}
    return _fields(application.kind, [{"key": f.key, "label": f.label, "value": data.get(f.key)}
                                      for f in formspec.FIELDS[application.kind]])


def _check_lines(application, decision) -> list[str]:
    checks = decision.checks or {}
    if decision.step == Step.BRANCH_REVIEW:
        labels = dict(formspec.REVIEW_CHECKS[application.kind])
        return [f"{labels.get(k, k)}：{'是' if v else '否'}" for k, v in checks.items()]
    if decision.step == Step.RESULT_PROPOSAL and "passed" in checks:
        lines = [f"拟定结论：{RESULT_LABELS[application.kind][bool(checks['passed'])]}"]
        if checks.get("average") not in (None, "None"):
            lines.append(f"平均分：{checks['average']}")
        lines.append(f"否决项：{'有' if checks.get('vetoed') else '无'}")
        return lines
    return []


def _decisions(application) -> list:
    decisions = list(application.decisions.select_related("agency", "version").order_by("decided_at", "pk"))
    for d in decisions:
        d.check_lines = _check_lines(application, d)
        if d.step == Step.RESULT_CONFIRMATION:
            d.outcome_label = "确认" if d.outcome == Outcome.AGREE else "退回重新组织"
        elif d.step == Step.RESULT_PROPOSAL:
            d.outcome_label = "提出结论"
        else:
            d.outcome_label = "同意" if d.outcome == Outcome.AGREE else "退回"
    return decisions


def _next_step(user, application, route) -> dict | None:
    if route is None:
        return None
    turn = transitions.owner(application.status, route)
    if turn is None:
        return None
    what = transitions.next_label(application.status, route)
    return {"what": what, "party": turn.label or "（未确定）", "mine": turn.includes(user), "paper": turn.paper}


def _organizer(application, route):
    if application.organizer_id:
        return application.organizer, application.get_organizer_level_display(), False
    if route is None:
        return None, "", True
    return route.organizer, Level(route.organizer_level).label, True


def detail_context(request, application, bound=None) -> dict:
    user = request.user
    route, route_error = _route(application)
    versions = list(application.versions.select_related("submitted_by").order_by("-number"))
    latest = versions[0] if versions else None
    action = _action(user, application, route)
    decisions = _decisions(application)
    form = None
    if action in ("decide", "propose", "confirm", "record"):
        form = _fresh_form(action, application, route)
        # The page binds the decision to what it shows: the version, the files and figures, the scores.
        form.fields["seen"].initial = seen_token(application, result_extra(application))
        if bound and bound[0] == action and (action != "decide" or bound[1].data.get("step") == form["step"].value()):
            bound[1].fields["opinion"].help_text = form.fields["opinion"].help_text
            form = bound[1]  # the posted form with its errors, when it still fits the state
    outcome = panel_outcome(application) if action == "propose" else None
    organizer, organizer_level, organizer_estimated = _organizer(application, route)
    panel_url = (f"/experts/panels/application/{application.pk}/"
                 if application.status in PANEL_STATES and getattr(user, "role", None) in GOVERNMENT_ROLES else "")
    batch_url = ""
    if action == "batch":
        batch_url = (reverse("applications:batch_new")
                     + f"?campaign={application.campaign.slug}&kind={application.kind}")
    return {
        "application": application, "enterprise": application.enrolment.enterprise,
        "latest": latest, "earlier": versions[1:],
        "fields": _fields(application.kind, latest.content.get("fields", [])) if latest else _draft_fields(application),
        "is_draft": latest is None, "editable": application.status in EDITABLE,
        "route": route.agencies if route else {}, "paper_levels": sorted(route.paper) if route else [],
        "route_error": route_error, "organizer": organizer, "organizer_level": organizer_level,
        "organizer_estimated": organizer_estimated, "next_step": _next_step(user, application, route),
        "decisions": decisions, "action": action, "form": form, "outcome": outcome,
        "panel_url": panel_url, "batch_url": batch_url, "formats": ("docx", "pdf"),
        "step_label": transitions.next_label(application.status, route) if action in ("decide", "record") else "",
        **views_files.context(user, application, latest, route),
        "result_label": application.result_label,
        # 撤回: the enterprise, while the branch has not acted on the submitted version.
        "can_withdraw": application.status == Status.BRANCH_REVIEW and latest is not None
        and getattr(user, "enterprise_id", None) == application.enrolment.enterprise_id
        and access.allowed(user, "applications.application.submit")
        and not any(d.version_id == latest.pk for d in decisions),
    }
