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

from . import formspec, services
from .forms import ConfirmForm, DecisionForm, ProposeForm
from .models import EDITABLE, FINAL, RESULT_LABELS, Level, Outcome, Status, Step

PANEL_STATES = (Status.ORGANIZING, Status.RESULT_PENDING, Status.PASSED, Status.FAILED)
# Errors the services raise about one input: shown next to it rather than on top.
FIELD_CODES = {"reason_required": "opinion", "opinion_required": "opinion", "wrong_outcome": "outcome"}

# state → (what is done next, whose turn: a route key, who in that agency)
NEXT = {
    Status.DRAFT: ("填写并提交申请表", "enterprise", ""),
    Status.RETURNED: ("按退回意见修改申请表后重新提交", "enterprise", ""),
    Status.BRANCH_REVIEW: ("审核申请、填写分局意见", "branch", "经办人员"),
    Status.BRANCH_APPROVAL: ("审批同意上报", "branch", "负责人"),
    Status.BRANCH_BATCH: ("随书面申请报送市局", "branch", "负责人"),
    Status.CITY_REVIEW: ("填写初审意见", "city", "经办人员"),
    Status.CITY_APPROVAL: ("审批初审意见", "city", "负责人"),
    Status.CITY_BATCH: ("随书面申请报送省厅", "city", "负责人"),
    Status.PROVINCE_REVIEW: ("填写审批意见", "province", "经办人员"),
    Status.PROVINCE_APPROVAL: ("审批省厅意见", "province", "负责人"),
    Status.ORGANIZING: ("抽取专家组、组织评估/验收并提出结论", "organizer", "经办人员"),
    Status.RESULT_PENDING: ("确认评估/验收结论", "organizer", "负责人"),
}
BATCH_ROLES = {Status.BRANCH_BATCH: ("branch", Role.BRANCH_LEADER), Status.CITY_BATCH: ("city", Role.CITY_LEADER)}
ORGANIZER_ROLES = {Status.ORGANIZING: "applications.application.organize",
                   Status.RESULT_PENDING: "applications.application.confirm_result"}


def todo_label(user, application) -> str:
    """The action a to-do row names (the user's part of NEXT)."""
    if getattr(user, "role", None) == Role.EXPERT:
        return "评分"
    return NEXT.get(application.status, ("", "", ""))[0]


def _route(application):
    try:
        return services.route(application), ""
    except InvalidState as exc:
        return {}, exc.message


def _agency_of(application, route, key):
    if key == "organizer":
        return application.organizer
    return route.get(key)


# --- the one action --------------------------------------------------------------------------------

def _action(user, application, route) -> str | None:
    """decide | propose | confirm | edit | batch | None: what the page offers this user now."""
    status, agency_id = application.status, getattr(user, "agency_id", None)
    if status in EDITABLE:
        return "edit" if access.allowed(user, "applications.application.prepare") else None
    step = services.STEP_OF_STATE.get(status)
    if step is not None:
        spec = services.STEPS[step]
        agency = route.get(spec.agency)
        ok = access.allowed(user, spec.rule) and agency is not None and agency.pk == agency_id
        return "decide" if ok else None
    if status in BATCH_ROLES:
        key, role = BATCH_ROLES[status]
        agency = route.get(key)
        return "batch" if getattr(user, "role", None) == role and agency and agency.pk == agency_id else None
    if status in ORGANIZER_ROLES:
        ok = access.allowed(user, ORGANIZER_ROLES[status]) and application.organizer_id == agency_id
        return ("propose" if status == Status.ORGANIZING else "confirm") if ok else None
    return None


def _decision_form(application, data=None):
    step = services.STEP_OF_STATE[application.status]
    spec = services.STEPS[step]
    if spec.opinion_required:
        help_text = "必填；将打印在申请表相应栏目中；退回时填写退回原因"
    elif spec.default_opinion:
        help_text = f"同意时可留空（即“{spec.default_opinion}”）；退回时必填（退回原因）"
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


def _fresh_form(kind, application):
    if kind == "decide":
        return _decision_form(application)
    if kind == "propose":
        return ProposeForm()
    if kind == "confirm":
        return ConfirmForm()
    return None


def _fail(request, form, exc) -> None:
    if isinstance(exc, ValidationError):
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
    if action == "decide":
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
        if action == "decide":
            services.application_decide(actor=user, application=application, step=data["step"],
                                        outcome=data["outcome"], opinion=data["opinion"], checks=form.checks())
            text = "已退回企业" if data["outcome"] == Outcome.RETURN else "已提交意见"
        elif action == "propose":
            services.application_result_propose(actor=user, application=application, opinion=data["opinion"])
            text = "已提出结论，待负责人确认"
        else:
            services.application_result_confirm(actor=user, application=application, outcome=data["outcome"],
                                                opinion=data["opinion"])
            text = "已退回重新组织" if data["outcome"] == Outcome.RETURN else "已确认结论"
    except (InvalidState, ValidationError) as exc:
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
    if application.status in FINAL or application.status not in NEXT:
        return None
    what, key, who = NEXT[application.status]
    if key == "enterprise":
        party = application.enrolment.enterprise.name
        mine = getattr(user, "enterprise_id", None) == application.enrolment.enterprise_id
    else:
        agency = _agency_of(application, route, key)
        party = f"{agency}{who}" if agency else "（未确定）"
        mine = agency is not None and getattr(user, "agency_id", None) == agency.pk
    return {"what": what, "party": party, "mine": mine}


def _organizer(application, route):
    if application.organizer_id:
        return application.organizer, application.get_organizer_level_display(), False
    if not route:
        return None, "", True
    level, agency = services.organizer_for(application)
    return agency, Level(level).label, True


def detail_context(request, application, bound=None) -> dict:
    user = request.user
    route, route_error = _route(application)
    versions = list(application.versions.select_related("submitted_by").order_by("-number"))
    latest = versions[0] if versions else None
    action = _action(user, application, route)
    form = None
    if action in ("decide", "propose", "confirm"):
        form = _fresh_form(action, application)
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
        "route": route, "route_error": route_error, "organizer": organizer, "organizer_level": organizer_level,
        "organizer_estimated": organizer_estimated, "next_step": _next_step(user, application, route),
        "decisions": _decisions(application), "action": action, "form": form, "outcome": outcome,
        "panel_url": panel_url, "batch_url": batch_url, "formats": ("docx", "pdf"),
        "step_label": services.STEPS[services.STEP_OF_STATE[application.status]].label if action == "decide" else "",
        "result_label": application.result_label,
    }
