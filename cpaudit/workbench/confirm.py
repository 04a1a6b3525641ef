"""确认 before an irreversible action, without script (the CSP forbids inline script): the action's
button posts its form to the confirmation page first (`formaction`), which writes nothing, says what
will happen and posts the same fields to the action itself. A form posted straight to the action still
works (the API, commands and tests call the services, not this page).

Each kind names what happens and the URL names it may lead to (anything else is refused)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.urls import Resolver404, resolve


@dataclass(frozen=True)
class Confirmation:
    title: str
    consequence: str
    targets: frozenset
    button: str = "确认"


CONFIRMATIONS = {c_key: c for c_key, c in {
    "application_submit": Confirmation(
        "提交申请", "申请表将冻结为新版本并送分局审核，提交后不能再修改；分局受理前可以撤回。",
        frozenset({"applications:edit"}), "确认提交"),
    "application_agree": Confirmation(
        "同意并转下一环节", "您的意见将写入申请表并交下一环节办理，之后不能再修改；"
        "申请表的“同意”意见将作为正式审核意见打印。", frozenset({"applications:detail"}), "确认同意"),
    "application_confirm": Confirmation(
        "确认评估/验收结论", "结论将正式生效并通知企业，公示页面随之更新。", frozenset({"applications:detail"}),
        "确认结论"),
    "application_withdraw": Confirmation(
        "撤回申请", "申请回到草稿状态，分局待办中不再出现；修改后可重新提交（作为新版本）。",
        frozenset({"applications:withdraw"}), "确认撤回"),
    "batch_submit": Confirmation(
        "报送上级", "所选申请将随书面申请一并报送上级，书面申请内容冻结并记入日志。",
        frozenset({"applications:batch_new"}), "确认报送"),
    "report_submit": Confirmation(
        "审批并报送月报", "月报内容将冻结为新版本报送上级，之后只能经退回后更正。",
        frozenset({"reports:branch_report", "reports:city_overview", "reports:results_document"}), "确认报送"),
    "report_withdraw": Confirmation(
        "撤回月报报送", "报告回到编辑中，市局不再看到本次报送；已报送的版本保留并标注“已撤回”，"
        "重新报送时形成新版本并须填写更正原因。", frozenset({"reports:branch_report"}), "确认撤回"),
    "spotcheck_draw": Confirmation(
        "抽取检查对象和检查人员", "将按方案随机抽取企业和检查人员并记入日志；抽取结果即确定，不能重新抽取，"
        "如需更改只能制定新方案取代并说明原因。", frozenset({"spotchecks:plan_detail"}), "确认抽取"),
    "spotcheck_approve": Confirmation(
        "审定并公开抽查结果", "抽查结果将审定并在信息公示页面向社会公开，之后不能撤回。",
        frozenset({"spotchecks:plan_detail"}), "确认审定并公开"),
    "rectification_close": Confirmation(
        "整改任务销号", "确认企业已按要求整改到位，任务销号并记入日志，之后不能恢复。",
        frozenset({"spotchecks:rectification_detail"}), "确认销号"),
    "circular_issue": Confirmation(
        "签发通报", "通报将加盖本单位电子印章生成正式文件，签发后不能撤销；选择公开的通报同时在信息公示页面公开。",
        frozenset({"assessment:circular_detail"}), "确认签发"),
    "agency_suspend": Confirmation(
        "暂停咨询机构承接新业务", "该机构将不能再被企业选为新的咨询机构，已承接的审核不受影响；决定记入日志并在机构档案中显示。",
        frozenset({"assessment:agency_detail"}), "确认暂停"),
    "exemption_approve": Confirmation(
        "批准豁免", "该企业将不再列入“应开展未开展”名单，豁免理由记入日志。", frozenset({"coverage:exemption_detail"}),
        "确认批准"),
    "step_confirm": Confirmation(
        "核实（锁定）步骤", "该步骤将被锁定，企业不能再修改；如需更正须由分局填写原因重新打开。",
        frozenset({"progress:step_edit", "progress:step_review"}), "确认核实"),
    "panel_draw": Confirmation(
        "抽取专家组", "将按规则随机抽取专家组并记入日志；如为重新抽取，原专家组及其已提交的评分全部作废。",
        frozenset({"experts:panel"}), "确认抽取"),
    "document_issue": Confirmation(
        "签发文书", "文书将加盖本单位电子印章生成正式文件，签发后不能撤销，之后的下载均为该文件。",
        frozenset({"applications:form_issue", "applications:batch_issue"}), "确认签发"),
}.items()}

HIDDEN = {"csrfmiddlewaretoken", "_confirm", "_target"}


def target_of(kind: str, target: str) -> str:
    """The action URL the confirmed form goes to: a local path whose URL name the kind allows."""
    confirmation = CONFIRMATIONS.get(kind)
    if confirmation is None or not target.startswith("/") or target.startswith("//"):
        raise Http404("没有这个确认事项")
    try:
        match = resolve(target.split("?")[0])
    except Resolver404 as exc:
        raise Http404("没有这个确认事项") from exc
    if match.view_name not in confirmation.targets:
        raise Http404("没有这个确认事项")
    return target
