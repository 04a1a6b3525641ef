"""双随机抽查 pages: plans (list, new or replacing plan, the plan with its draw and its check), one drawn
enterprise (findings, files, rectification), my inspections, rectification tasks, the inspector roster.

What a user sees is the scope (selectors.py: the planning agency always, others from the check date);
what a user may do, the services decide; the pages only show the forms that can succeed.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from cpaudit.core import clock
from cpaudit.core.errors import InvalidState
from cpaudit.core.params import parse_int, query_int
from cpaudit.core.uploads import limit_megabytes, upload_too_large
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.org import access
from cpaudit.org.models import Division, User
from cpaudit.org.roles import GOVERNMENT_ROLES, Role

from . import selectors, services
from .forms import ApproveForm, CloseForm, FileForm, FindingsForm, PlanForm, RectificationForm, ReportForm
from .models import EvidenceFile, Item, Plan, PlanStatus, Rectification, RectificationStatus


def _plan(request, pk) -> Plan:
    access.check(request.user, "spotchecks.plan.view")
    return access.get_in_scope(request.user, Plan.objects.select_related(
        "agency", "campaign", "drawn_by", "approved_by", "replaces"), pk=pk)


@domain_view
def plan_list(request):
    access.check(request.user, "spotchecks.plan.view")
    return render(request, "spotchecks/plan_list.html", {
        "plans": selectors.plans(request.user), "can_plan": access.allowed(request.user, "spotchecks.plan.change")})


@domain_view
def plan_create(request):
    access.check(request.user, "spotchecks.plan.change")
    replaces = None
    replaces_pk = query_int(request, "replaces", error=Http404("方案不存在"))
    if replaces_pk is not None:
        replaces = _plan(request, replaces_pk)
    form = PlanForm(request.POST or None, user=request.user, replaces=replaces,
                    initial=_initial(replaces) if replaces else None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_save(actor=request.user, campaign=form.cleaned_data.get("campaign"),
                                      data=form.plan_data(), replaces=replaces,
                                      reason=form.cleaned_data.get("reason", ""))
        except (ValidationError, InvalidState) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已制定抽查方案")
            return redirect("spotchecks:plan_detail", pk=plan.pk)
    return render(request, "spotchecks/plan_form.html", {"form": form, "replaces": replaces})


def _initial(plan) -> dict:
    strata = plan.strata or {}
    return {"title": plan.title, "counties": plan.counties, "industries": ",".join(plan.industries),
            "stages": [str(s) for s in plan.stages], "share_percent": plan.share_percent, "count": plan.count,
            "share_complaints": strata.get("complaints"), "share_consistency": strata.get("consistency"),
            "share_late": strata.get("late"), "per_enterprise": plan.per_enterprise,
            "cross_county": plan.cross_county, "include_subordinates": plan.include_subordinates}


def _is_organizer(user, plan) -> bool:
    return getattr(user, "agency_id", None) == plan.agency_id


@domain_view
def plan_detail(request, pk):
    user = request.user
    plan = _plan(request, pk)
    approve_form = ApproveForm(request.POST if request.POST.get("action") == "approve" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "draw":
                services.plan_draw(actor=user, plan=plan)
                messages.success(request, "已抽取检查对象和检查人员，抽取结果已记入日志")
                return redirect("spotchecks:plan_detail", pk=plan.pk)
            if action == "approve" and approve_form.is_valid():
                services.plan_approve(actor=user, plan=plan, note=approve_form.cleaned_data["note"])
                messages.success(request, "已审定抽查结果，结果将在信息公示页面公开")
                return redirect("spotchecks:plan_detail", pk=plan.pk)
            if action not in ("draw", "approve"):
                messages.error(request, "请选择要进行的操作")
        except InvalidState as exc:
            messages.error(request, exc.message)
    organizer = _is_organizer(user, plan)
    excluded = []
    if organizer and plan.excluded:
        names = dict(User.objects.filter(pk__in={e["inspector"] for e in plan.excluded}).values_list("pk", "full_name"))
        enterprises = {i.enterprise_id: i.enterprise.name for i in plan.items.select_related("enterprise")}
        excluded = [{"name": names.get(e["inspector"], ""), "enterprise": enterprises.get(e["enterprise"], "全部企业"
                                                                                           if not e["enterprise"] else "未抽中的企业"),
                     "reason": e["reason"]} for e in plan.excluded]
    counties = "、".join(Division.objects.filter(code__in=plan.counties).order_by("code").values_list("name", flat=True))
    can_draw = organizer and plan.status == PlanStatus.DRAFT and access.allowed(user, "spotchecks.plan.change")
    return render(request, "spotchecks/plan_detail.html", {
        "plan": plan, "county_names": counties, "preview": services.plan_preview(user, plan) if can_draw else None, "items": selectors.plan_items(user, plan), "organizer": organizer, "excluded": excluded,
        "confidential": clock.today() < plan.check_date,
        "can_draw": can_draw,
        "can_replace": organizer and plan.status == PlanStatus.DRAWN and access.allowed(user, "spotchecks.plan.change")
        and not Plan.objects.filter(replaces=plan).exists(),
        "can_approve": organizer and plan.status == PlanStatus.DRAWN and access.allowed(user, "spotchecks.plan.approve"),
        "approve_form": approve_form,
    })


@domain_view
def plan_verify(request, pk):
    plan = _plan(request, pk)
    if plan.status == PlanStatus.DRAFT:
        raise Http404("方案尚未抽取")
    return render(request, "spotchecks/plan_verify.html", {"plan": plan, "check": services.plan_verify(plan)})


def _item(request, pk) -> Item:
    access.check(request.user, "spotchecks.plan.view")
    return access.get_in_scope(request.user, Item.objects.select_related(
        "plan", "plan__agency", "enterprise", "enterprise__county", "enrolment", "recorded_by"), pk=pk)


def _item_post(request, item):
    """Run the posted action; (redirect or None, {form name: bound form})."""
    action = request.POST.get("action")
    forms = {}
    try:
        if action == "findings":
            forms["findings_form"] = form = FindingsForm(request.POST)
            if form.is_valid():
                services.findings_record(actor=request.user, item=item, results=form.results(),
                                         summary=form.cleaned_data["summary"])
                messages.success(request, "已保存检查结果")
                return redirect("spotchecks:item_detail", pk=item.pk), forms
        elif action == "file":
            if upload_too_large(request):
                messages.error(request, f"文件过大：不能超过 {limit_megabytes()} MB")
                return redirect("spotchecks:item_detail", pk=item.pk), forms
            forms["file_form"] = form = FileForm(request.POST, request.FILES)
            if form.is_valid():
                services.evidence_upload(actor=request.user, item=item, uploaded_file=form.cleaned_data["file"])
                messages.success(request, "已上传检查佐证材料")
                return redirect("spotchecks:item_detail", pk=item.pk), forms
        elif action == "rectify":
            forms["rectification_form"] = form = RectificationForm(request.POST)
            if form.is_valid():
                services.rectification_open(actor=request.user, item=item, **form.cleaned_data)
                messages.success(request, "已下达整改任务")
                return redirect("spotchecks:item_detail", pk=item.pk), forms
        else:
            messages.error(request, "请选择要进行的操作")
    except (ValidationError, InvalidState) as exc:
        target = next(iter(forms.values()), None)
        if target is not None:
            add_validation_errors(target, exc)
        else:
            messages.error(request, "；".join(getattr(exc, "messages", [getattr(exc, "message", "")])))
    return None, forms


@domain_view
def item_detail(request, pk):
    user = request.user
    item = _item(request, pk)
    forms = {}
    if request.method == "POST":
        response, forms = _item_post(request, item)
        if response is not None:
            return response
    findings = {f.aspect: f for f in item.findings.all()}
    assigned = services.is_assigned(user, item)
    open_for_inspector = (assigned and item.plan.status == PlanStatus.DRAWN
                          and clock.today() >= item.plan.check_date)
    initial = {f"{a}_{k}": getattr(f, k) for a, f in findings.items() for k in ("outcome", "note")}
    initial["summary"] = item.summary
    can_rectify = (item.plan.status in (PlanStatus.DRAWN, PlanStatus.APPROVED) and clock.today() >= item.plan.check_date
                   and (assigned or (_is_organizer(user, item.plan) and user.role in (Role.PROVINCE_STAFF, Role.CITY_STAFF)))
                   and any(f.outcome == "nonconform" for f in findings.values()))
    return render(request, "spotchecks/item_detail.html", {
        "item": item, "findings": [findings.get(a) for a in ("options", "figures", "equipment")],
        "assignments": list(item.assignments.select_related("inspector", "inspector__agency")),
        "files": list(item.files.all()), "tasks": list(item.rectifications.all()),
        "can_record": open_for_inspector,
        "findings_form": forms.get("findings_form") or FindingsForm(initial=initial),
        "file_form": forms.get("file_form") or FileForm(),
        "can_rectify": can_rectify, "rectification_form": forms.get("rectification_form") or RectificationForm(),
    })


@domain_view
def file_download(request, pk):
    access.check(request.user, "spotchecks.plan.view")
    row = EvidenceFile.objects.filter(pk=pk, item__in=access.scope(request.user, Item.objects.all())).first()
    if row is None:
        raise Http404("文件不存在或不在您的管理范围内")
    try:
        handle = services.evidence_open(actor=request.user, row=row)
    except InvalidState as exc:
        raise Http404(exc.message) from exc
    return FileResponse(handle, as_attachment=True, filename=row.name, content_type=row.content_type)


@domain_view
def my_items(request):
    access.check(request.user, "spotchecks.item.record")
    return render(request, "spotchecks/my_items.html", {"items": selectors.my_items(request.user)})


@domain_view
def rectification_list(request):
    access.check(request.user, "spotchecks.rectification.view")
    return render(request, "spotchecks/rectification_list.html", {
        "tasks": selectors.rectifications(request.user), "today": clock.today()})


@domain_view
def rectification_detail(request, pk):
    user = request.user
    access.check(user, "spotchecks.rectification.view")
    task = access.get_in_scope(user, Rectification.objects.select_related(
        "enterprise", "enterprise__county", "item__plan", "opened_by", "reported_by", "closed_by"), pk=pk)
    is_enterprise = user.role == Role.ENTERPRISE and user.enterprise_id == task.enterprise_id
    is_branch = (user.role == Role.BRANCH_STAFF and user.agency is not None
                 and user.agency.division_id == task.enterprise.county_id)
    action = request.POST.get("action") if request.method == "POST" else None
    report_form = ReportForm(request.POST if action == "report" else None)
    close_form = CloseForm(request.POST if action == "close" else None)
    if request.method == "POST":
        form = {"report": report_form, "close": close_form}.get(action)
        if form is None:
            messages.error(request, "请选择要进行的操作")
        elif form.is_valid():
            try:
                if action == "report":
                    services.rectification_report(actor=user, task=task, report=form.cleaned_data["report"])
                else:
                    services.rectification_close(actor=user, task=task, note=form.cleaned_data["note"])
            except (ValidationError, InvalidState) as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, "已报告整改情况" if action == "report" else "已销号")
                return redirect("spotchecks:rectification_detail", pk=task.pk)
    open_ = task.status != RectificationStatus.CLOSED
    return render(request, "spotchecks/rectification_detail.html", {
        "task": task, "can_report": is_enterprise and open_, "can_close": is_branch and open_,
        "report_form": report_form, "close_form": close_form, "overdue": open_ and task.deadline < clock.today(),
        "sees_item": user.role in GOVERNMENT_ROLES})


@domain_view
def inspector_list(request):
    user = request.user
    access.check(user, "spotchecks.inspector.view")
    if request.method == "POST":
        colleague = User.objects.filter(pk=parse_int(request.POST.get("user")) or 0, agency_id=user.agency_id,
                                        role__in=sorted(GOVERNMENT_ROLES)).first()
        if colleague is None:
            messages.error(request, "请选择本单位的工作人员")
        else:
            try:
                services.inspector_set(actor=user, user=colleague, active=request.POST.get("action") == "flag",
                                       note=request.POST.get("note", ""))
            except InvalidState as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "已更新检查人员名录")
                return redirect("spotchecks:inspector_list")
    flagged = {i.user_id: i for i in selectors.inspectors(user)}
    colleagues = list(User.objects.filter(agency_id=user.agency_id, role__in=sorted(GOVERNMENT_ROLES),
                                          is_active=True).exclude(pk=user.pk).order_by("username"))
    others = [i for i in flagged.values() if i.user.agency_id != user.agency_id and i.active]
    return render(request, "spotchecks/inspector_list.html", {
        "colleagues": [{"user": c, "inspector": flagged.get(c.pk)} for c in colleagues], "others": others,
        "can_change": access.allowed(user, "spotchecks.inspector.change")})

