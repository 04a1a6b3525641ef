"""The main navigation, by role: only what the user may open."""

import functools

from django.urls import get_script_prefix, reverse

from cpaudit.org.access import allowed
from cpaudit.security.login import SECOND_FACTOR_ROLES


def nav_items(request) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {"nav_items": []}
    items = [("home", "工作台", None)]
    if allowed(user, "registry.enterprise.view"):
        items.append(("registry:enterprise_list", "企业名录", None))
    if allowed(user, "campaigns.campaign.view"):
        items.append(("campaigns:campaign_list", "审核批次", None))
    if allowed(user, "reports.report.view"):
        items.append(("reports:index", "月度报告", None))
    if allowed(user, "applications.application.view"):
        items.append(("applications:index", "评估验收", None))
    if allowed(user, "experts.expert.view"):
        items.append(("experts:expert_list", "专家库", None))
    if allowed(user, "experts.score.submit"):
        items.append(("experts:my_tasks", "我的评审任务", None))
    if allowed(user, "spotchecks.plan.view"):
        items.append(("spotchecks:plan_list", "双随机抽查", None))
    elif allowed(user, "spotchecks.rectification.view"):  # an enterprise: its rectification tasks
        items.append(("spotchecks:rectification_list", "整改任务", None))
    if allowed(user, "integrity.declaration.submit"):
        items.append(("integrity:my_declaration", "利益关系申报", None))
    if allowed(user, "registry.consultingagency.view"):
        items.append(("registry:consulting_list", "咨询机构", None))
    if allowed(user, "registry.divisionalias.change"):
        items.append(("registry:alias_list", "区划别名", None))
    if allowed(user, "org.agency.view"):
        items.append(("org:agency_list", "主管部门", None))
    if allowed(user, "org.user.view"):  # administrators; branch staff: enterprise accounts; leaders: 转办
        items.append(("org:user_list", "用户账号", None))
    if allowed(user, "coverage.report.view"):
        items.append(("coverage:index", "应开展未开展", None))
    if allowed(user, "assessment.scorecard.view"):
        items.append(("assessment:scorecards", "考核通报", None))
    elif allowed(user, "assessment.extension.request"):  # an enterprise: its extensions (延期申请)
        items.append(("assessment:extension_list", "延期申请", None))
    if allowed(user, "oversight.finding.view"):
        items.append(("oversight:finding_list", "异常情况", None))
    if allowed(user, "integrity.intervention.record"):
        items.append(("integrity:intervention_list", "干预登记", None))
    if allowed(user, "core.log.view"):
        items.append(("log_list", "操作日志", None))
    if allowed(user, "security.event.view"):
        items.append(("security:event_list", "安全日志", None))
    if allowed(user, "security.lockout.unlock"):
        items.append(("security:lockout_list", "登录锁定", None))
    if allowed(user, "jobs.status.view"):
        items.append(("jobs:status", "运行状态", None))
    if user.role in SECOND_FACTOR_ROLES:
        items.append(("security:otp_setup", "动态口令", None))
    path = request.path
    prefix = get_script_prefix()
    result = []
    for name, label, _ in items:
        url = _url(name, prefix)
        result.append({"url": url, "label": label, "active": url != "/" and path.startswith(url)})
    return {"nav_items": result}


@functools.lru_cache(maxsize=256)
def _url(name: str, prefix: str) -> str:
    """The menu's addresses never change while the process runs (20 reverse() calls were ~1 ms of
    every page); the script prefix is part of the key, as reverse() depends on it."""
    return reverse(name)
