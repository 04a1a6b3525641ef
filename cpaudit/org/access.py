"""The one place that decides what a user may see and do.

`scope(user, queryset)` narrows any queryset of a scoped model to what the user may see; a view
that opens an object looks it up through `scope`, so outside the jurisdiction the answer is 404.
`check(user, action, obj)` decides whether the user's role may take an action on an object already
in scope (403 otherwise). Commands run as a SystemActor (sees all) or as a given user.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from cpaudit.core.errors import PermissionDenied

from .account_scope import user_scope
from .jurisdiction import jurisdiction_of
from .roles import (
    GOVERNMENT_ROLES,
    LEADER_ROLES,
    Role,
)

STAFF = frozenset({Role.BRANCH_STAFF, Role.CITY_STAFF, Role.PROVINCE_STAFF})

# Who supervises officials: the audit administrator, city and province people (integrity.supervision).
_SUPERVISORS = frozenset({Role.AUDIT_ADMIN, Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
                          Role.PROVINCE_LEADER})

# action → roles allowed to take it (always combined with the object being in scope).
RULES: dict[str, frozenset] = {
    "registry.enterprise.view": GOVERNMENT_ROLES | {Role.ENTERPRISE, Role.CONSULTANT},
    "registry.enterprise.create": STAFF,
    "registry.enterprise.change": STAFF,
    # An enterprise corrects its own contact data; name, code, county and level stay with staff.
    "registry.enterprise.change_contact": STAFF | {Role.ENTERPRISE},
    "registry.enterprise.accept_uscc": STAFF,
    "registry.enterprise.import": frozenset({Role.BRANCH_STAFF, Role.CITY_STAFF}),
    "registry.enterprise.export": GOVERNMENT_ROLES,
    "registry.consultingagency.view": GOVERNMENT_ROLES | {Role.CONSULTANT, Role.ENTERPRISE},
    "registry.consultingagency.change": STAFF,
    # Zone → county aliases are configuration for imports: kept by province and city staff for their
    # counties and by the system administrator (who sees no business data, and an alias holds none).
    "registry.divisionalias.view": GOVERNMENT_ROLES | {Role.SYSTEM_ADMIN},
    "registry.divisionalias.change": frozenset({Role.PROVINCE_STAFF, Role.CITY_STAFF, Role.SYSTEM_ADMIN}),
    "campaigns.campaign.view": GOVERNMENT_ROLES | {Role.ENTERPRISE, Role.CONSULTANT},
    "campaigns.campaign.change": frozenset({Role.CITY_STAFF, Role.PROVINCE_STAFF}),
    "campaigns.enrolment.view": GOVERNMENT_ROLES | {Role.ENTERPRISE, Role.CONSULTANT},
    "campaigns.enrolment.change": STAFF,
    "core.log.view": frozenset({Role.AUDIT_ADMIN}),
    # 系统管理员 manages accounts and agencies, 安全管理员 roles, resets, re-enabling and the security
    # policy: neither sees business data. Branch staff open the accounts of their county's enterprises
    # and of the consulting agencies engaged there, and re-enable those enterprises' accounts; a
    # leader hands a departing colleague's personal work over (转办). Which accounts each sees:
    # org/account_scope.py; the services check the finer conditions (never on oneself).
    "org.agency.view": frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}),
    "org.user.view": frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.BRANCH_STAFF}) | LEADER_ROLES,
    "org.agency.change": frozenset({Role.SYSTEM_ADMIN}),
    "org.user.create": frozenset({Role.SYSTEM_ADMIN, Role.BRANCH_STAFF}),
    "org.user.change": frozenset({Role.SYSTEM_ADMIN}),
    "org.user.enable": frozenset({Role.SECURITY_ADMIN, Role.BRANCH_STAFF}),
    "org.user.role": frozenset({Role.SECURITY_ADMIN}),
    "org.user.reset": frozenset({Role.SECURITY_ADMIN}),
    "org.user.reassign": frozenset({Role.SECURITY_ADMIN}) | LEADER_ROLES,
    "org.security.view": frozenset({Role.SECURITY_ADMIN}),
    "jobs.job.view": GOVERNMENT_ROLES | {Role.ENTERPRISE, Role.CONSULTANT},
    # The running state (workers, storage, incidents; no business data): the operators.
    "jobs.status.view": frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}),
    "jobs.incident.resolve": frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}),
    # Audit progress (authority.md § Progress chain): the enterprise (or its engaged agency) records,
    # branch staff confirm, return and reopen; everyone who sees the enrolment sees its record.
    "progress.step.view": GOVERNMENT_ROLES | {Role.ENTERPRISE, Role.CONSULTANT},
    "progress.step.record": frozenset({Role.ENTERPRISE, Role.CONSULTANT}),
    "progress.step.review": frozenset({Role.BRANCH_STAFF}),
    "progress.step.reopen": frozenset({Role.BRANCH_STAFF}),
    "progress.evidence.upload": frozenset({Role.ENTERPRISE, Role.CONSULTANT}),
    # Experts: the deliverables (steps 22, 27, 35) of the applications they score (scope below).
    "progress.evidence.download": GOVERNMENT_ROLES | {Role.ENTERPRISE, Role.CONSULTANT, Role.EXPERT},
    "progress.option.change": frozenset({Role.ENTERPRISE, Role.CONSULTANT}),
    "progress.figures.change": frozenset({Role.ENTERPRISE, Role.CONSULTANT}),
    "progress.dashboard.view": GOVERNMENT_ROLES,
    "progress.export": GOVERNMENT_ROLES,
    # Monthly reports (authority.md § Monthly report chain).
    "reports.report.view": GOVERNMENT_ROLES,
    "reports.report.prepare": frozenset({Role.BRANCH_STAFF, Role.CITY_STAFF}),
    "reports.report.submit": frozenset({Role.BRANCH_LEADER, Role.CITY_LEADER}),
    "reports.report.review": frozenset({Role.CITY_STAFF}),
    # The sealed copy's scan: the reporting unit's own people (the service checks the agency).
    "reports.scan.upload": frozenset({Role.BRANCH_STAFF, Role.BRANCH_LEADER, Role.CITY_STAFF, Role.CITY_LEADER}),
    "reports.notification.view": GOVERNMENT_ROLES | {Role.ENTERPRISE, Role.CONSULTANT, Role.EXPERT},
    # 评估/验收 results summaries (seed § 二): branch staff draft, the branch leader submits to the city,
    # city staff accept or return; the city's consolidation likewise up to the province (the services
    # check that the reviewer is staff of the agency above the reporting one).
    "reports.results.view": GOVERNMENT_ROLES,
    "reports.results.prepare": frozenset({Role.BRANCH_STAFF, Role.CITY_STAFF}),
    "reports.results.submit": frozenset({Role.BRANCH_LEADER, Role.CITY_LEADER}),
    "reports.results.review": frozenset({Role.CITY_STAFF, Role.PROVINCE_STAFF}),
    # 评估/验收 applications (authority.md § The application chain). Whether the actor's agency is the
    # one whose turn it is (the branch, its city, the province, the organizer) is checked by the
    # service on the application's state; these say which role may ever take the step.
    "applications.application.view": GOVERNMENT_ROLES | {Role.ENTERPRISE, Role.CONSULTANT, Role.EXPERT},
    "applications.application.prepare": frozenset({Role.ENTERPRISE, Role.CONSULTANT}),
    "applications.application.submit": frozenset({Role.ENTERPRISE}),
    "applications.application.branch_review": frozenset({Role.BRANCH_STAFF}),
    "applications.application.branch_approve": frozenset({Role.BRANCH_LEADER}),
    "applications.application.city_review": frozenset({Role.CITY_STAFF}),
    "applications.application.city_approve": frozenset({Role.CITY_LEADER}),
    "applications.application.province_review": frozenset({Role.PROVINCE_STAFF}),
    "applications.application.province_approve": frozenset({Role.PROVINCE_LEADER}),
    "applications.application.organize": STAFF,
    "applications.application.confirm_result": frozenset({Role.BRANCH_LEADER, Role.CITY_LEADER,
                                                          Role.PROVINCE_LEADER}),
    # The level below a paper level transcribes its reply (transitions.py decides who exactly).
    "applications.application.record_reply": frozenset({Role.BRANCH_STAFF, Role.CITY_STAFF}),
    "applications.attachment.upload": frozenset({Role.ENTERPRISE, Role.CONSULTANT}),
    "applications.attachment.download": GOVERNMENT_ROLES | {Role.ENTERPRISE, Role.CONSULTANT, Role.EXPERT},
    "applications.assistance.request": frozenset({Role.BRANCH_STAFF}),
    "applications.assistance.record": frozenset({Role.CITY_STAFF}),
    "applications.paper.view": GOVERNMENT_ROLES,
    "applications.correction.review": GOVERNMENT_ROLES,
    "applications.paper.configure": frozenset({Role.PROVINCE_STAFF}),
    "applications.batch.view": GOVERNMENT_ROLES,
    "applications.batch.submit": frozenset({Role.BRANCH_LEADER, Role.CITY_LEADER}),
    "applications.summary.view": GOVERNMENT_ROLES,
    # The expert pool is the province's and the cities'; branches draw from it for "其他" enterprises.
    "experts.expert.view": GOVERNMENT_ROLES,
    "experts.expert.change": frozenset({Role.PROVINCE_STAFF, Role.CITY_STAFF}),
    "experts.scoresheet.change": frozenset({Role.PROVINCE_STAFF}),
    "experts.panel.view": GOVERNMENT_ROLES | {Role.EXPERT},
    "experts.panel.draw": STAFF,
    "experts.score.submit": frozenset({Role.EXPERT}),
    # Everyone who takes decisions declares their own ties; the pool's keepers record the experts'.
    "integrity.declaration.view": GOVERNMENT_ROLES | {Role.EXPERT},
    "integrity.declaration.submit": GOVERNMENT_ROLES | {Role.EXPERT},
    # The intervention register (干预登记): anyone records; what each sees is its scope (the supervising
    # level, the audit administrator, the recorder, the owner, never the person named); the supervising
    # leaders and the owner follow it up (integrity.interventions checks who exactly).
    "integrity.intervention.record": frozenset(Role),
    "integrity.intervention.view": frozenset(Role),
    "integrity.intervention.follow_up": GOVERNMENT_ROLES,
    # Anomaly review and per-official records (cpaudit.oversight): the audit administrator and the
    # supervising levels (a city above its branches, the province above the cities); the working-day
    # calendar the rules read is kept by province and city staff.
    "oversight.finding.view": _SUPERVISORS,
    "oversight.finding.review": _SUPERVISORS,
    "oversight.anomaly.run": _SUPERVISORS,
    "oversight.official.view": _SUPERVISORS,
    "oversight.calendar.view": GOVERNMENT_ROLES | {Role.AUDIT_ADMIN},
    "oversight.calendar.change": frozenset({Role.PROVINCE_STAFF, Role.CITY_STAFF}),
    # Assessment and accountability (cpaudit.assessment, issue 13): scorecards are read by government
    # people (a branch its own); circulars are drafted by city/province staff and approved and issued by
    # their leader; summons are decided by a leader of the level above the unit summoned and followed up
    # by that agency's people; an enterprise asks for an extension, the branch leader then the city
    # leader decide; a consulting agency is suspended or reinstated by a city or province leader.
    "assessment.scorecard.view": GOVERNMENT_ROLES,
    "assessment.circular.view": GOVERNMENT_ROLES,
    "assessment.circular.prepare": frozenset({Role.CITY_STAFF, Role.PROVINCE_STAFF}),
    "assessment.circular.approve": frozenset({Role.CITY_LEADER, Role.PROVINCE_LEADER}),
    "assessment.summons.view": GOVERNMENT_ROLES,
    "assessment.summons.decide": frozenset({Role.CITY_LEADER, Role.PROVINCE_LEADER}),
    "assessment.summons.follow_up": frozenset({Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
                                               Role.PROVINCE_LEADER}),
    "assessment.extension.view": GOVERNMENT_ROLES | {Role.ENTERPRISE, Role.CONSULTANT},
    "assessment.extension.request": frozenset({Role.ENTERPRISE}),
    "assessment.extension.branch_decide": frozenset({Role.BRANCH_LEADER}),
    "assessment.extension.city_decide": frozenset({Role.CITY_LEADER}),
    "assessment.agency.view": GOVERNMENT_ROLES,
    "assessment.agency.suspend": frozenset({Role.CITY_LEADER, Role.PROVINCE_LEADER}),
    # Spot checks (双随机抽查, cpaudit.spotchecks): the province and city-level staff plan and draw, the
    # planning agency's leader approves the results; any government person may be flagged as an
    # inspector by its own agency and records findings where drawn; the branch closes rectifications,
    # which the enterprise answers. The services check the agency and the person; selectors.py the
    # confidentiality before the check date.
    "spotchecks.plan.view": GOVERNMENT_ROLES,
    "spotchecks.plan.change": frozenset({Role.PROVINCE_STAFF, Role.CITY_STAFF}),
    "spotchecks.plan.approve": frozenset({Role.PROVINCE_LEADER, Role.CITY_LEADER}),
    "spotchecks.inspector.view": GOVERNMENT_ROLES,
    "spotchecks.inspector.change": GOVERNMENT_ROLES,
    "spotchecks.item.record": GOVERNMENT_ROLES,
    "spotchecks.rectification.view": GOVERNMENT_ROLES | {Role.ENTERPRISE},
    "spotchecks.rectification.open": GOVERNMENT_ROLES,
    "spotchecks.rectification.report": frozenset({Role.ENTERPRISE}),
    "spotchecks.rectification.close": frozenset({Role.BRANCH_STAFF}),
    # Issued documents and seals (cpaudit.documents): a leader issues under its agency's seal (the app
    # owning the document decides which leader may issue what); the seal keys are the security
    # administrator's. Verifying a document is public and needs no rule.
    "documents.document.issue": frozenset({Role.BRANCH_LEADER, Role.CITY_LEADER, Role.PROVINCE_LEADER}),
    "documents.sealkey.manage": frozenset({Role.SECURITY_ADMIN}),
    # 应开展未开展 (cpaudit.coverage, issue 13): government people see their jurisdiction's comparison;
    # staff import registers, propose exemptions and enrol from the list; the branch leader of the
    # enterprise's county approves an exemption (the service checks the county).
    "coverage.report.view": GOVERNMENT_ROLES,
    "coverage.register.import": STAFF,
    "coverage.exemption.propose": STAFF,
    "coverage.exemption.decide": frozenset({Role.BRANCH_LEADER}),
    "coverage.enrolment.add": STAFF,
    # Login protection (cpaudit.security): unlocks and second-factor resets are the security
    # administrator's (never on their own account); the security log is read by the audit administrator.
    "security.lockout.unlock": frozenset({Role.SECURITY_ADMIN}),
    "security.otp.reset": frozenset({Role.SECURITY_ADMIN}),
    "security.event.view": frozenset({Role.AUDIT_ADMIN}),
    # 工作台 (cpaudit.workbench): everyone has one; 催报 is for the city and province (late branches).
    "workbench.view": GOVERNMENT_ROLES | {Role.ENTERPRISE, Role.CONSULTANT, Role.EXPERT, Role.SYSTEM_ADMIN,
                                          Role.SECURITY_ADMIN, Role.AUDIT_ADMIN},
    "workbench.reminder.send": frozenset({Role.CITY_STAFF, Role.CITY_LEADER, Role.PROVINCE_STAFF,
                                          Role.PROVINCE_LEADER}),
}


# What the refusal message names.
ACTION_LABELS = {
    "registry.enterprise.view": "查看企业", "registry.enterprise.create": "新增企业",
    "registry.enterprise.change": "修改企业登记信息", "registry.enterprise.change_contact": "修改企业联系信息",
    "registry.enterprise.accept_uscc": "确认校验位不符的统一社会信用代码",
    "registry.enterprise.import": "导入企业名录", "registry.enterprise.export": "导出企业名录",
    "registry.consultingagency.view": "查看咨询机构", "registry.consultingagency.change": "维护咨询机构",
    "registry.divisionalias.view": "查看区划别名", "registry.divisionalias.change": "维护区划别名",
    "campaigns.campaign.view": "查看审核批次", "campaigns.campaign.change": "维护审核批次",
    "campaigns.enrolment.view": "查看审核企业名单", "campaigns.enrolment.change": "维护审核企业名单",
    "core.log.view": "查询操作日志", "org.agency.view": "查看主管部门", "org.user.view": "查看用户账号",
    "org.agency.change": "维护主管部门", "org.user.change": "维护或停用用户账号", "org.user.create": "开设用户账号",
    "org.user.enable": "重新启用用户账号", "org.user.role": "分配角色", "org.user.reset": "重置密码",
    "org.user.reassign": "转办离岗人员的待办事项", "org.security.view": "查看安全策略",
    "jobs.job.view": "查看后台任务", "jobs.status.view": "查看运行状态", "jobs.incident.resolve": "处理运行故障",
    "progress.step.view": "查看审核进展", "progress.step.record": "填报审核进展", "progress.step.review": "核实审核步骤",
    "progress.step.reopen": "重新打开已核实的步骤", "progress.evidence.upload": "上传佐证材料",
    "progress.evidence.download": "下载佐证材料", "progress.option.change": "填报清洁生产方案",
    "progress.figures.change": "填报基准与实施后数据", "progress.dashboard.view": "查看进展统计",
    "progress.export": "导出进展清单",
    "reports.report.view": "查看月度进度报告", "reports.report.prepare": "起草月度进度报告",
    "reports.report.submit": "审批并报送月度进度报告", "reports.report.review": "接收或退回分局月报",
    "reports.scan.upload": "上传月报盖章扫描件",
    "reports.results.view": "查看评估/验收结果汇总", "reports.results.prepare": "起草评估/验收结果汇总",
    "reports.results.submit": "审批并报送评估/验收结果汇总", "reports.results.review": "接收或退回评估/验收结果汇总",
    "reports.notification.view": "查看站内通知",
    "applications.application.view": "查看评估/验收申请", "applications.application.prepare": "填写评估/验收申请表",
    "applications.application.submit": "提交评估/验收申请",
    "applications.application.branch_review": "填写分局审核意见",
    "applications.application.branch_approve": "审批同意上报评估/验收申请",
    "applications.application.city_review": "填写设区市（省管县）初审意见",
    "applications.application.city_approve": "审批市局初审意见",
    "applications.application.province_review": "填写省厅审批意见",
    "applications.application.province_approve": "审批省厅意见",
    "applications.application.organize": "组织评估/验收", "applications.application.confirm_result": "确认评估/验收结论",
    "applications.application.record_reply": "录入上级来文意见",
    "applications.attachment.upload": "上传申请附件", "applications.attachment.download": "下载申请附件",
    "applications.assistance.request": "请求市局协调", "applications.assistance.record": "记录市局协助/协调工作",
    "applications.paper.view": "查看纸质办理设置", "applications.correction.review": "核查结论后的审核依据变更", "applications.paper.configure": "设置纸质办理单位",
    "applications.batch.view": "查看评估/验收报送批", "applications.batch.submit": "报送评估/验收申请",
    "applications.summary.view": "查看评估/验收汇总",
    "experts.expert.view": "查看专家库", "experts.expert.change": "维护专家库", "experts.scoresheet.change": "维护评分表",
    "experts.panel.view": "查看专家组", "experts.panel.draw": "抽取专家组", "experts.score.submit": "提交专家评分",
    "integrity.declaration.view": "查看利益关系申报", "integrity.declaration.submit": "填报利益关系申报",
    "integrity.intervention.record": "登记干预行为", "integrity.intervention.view": "查看干预登记",
    "integrity.intervention.follow_up": "部署或办结干预登记的整改",
    "oversight.finding.view": "查看异常情况", "oversight.finding.review": "核查异常情况",
    "oversight.anomaly.run": "运行异常情况筛查", "oversight.official.view": "查看个人履职记录",
    "oversight.calendar.view": "查看工作日历", "oversight.calendar.change": "维护工作日历",
    "assessment.scorecard.view": "查看考核记分", "assessment.circular.view": "查看通报",
    "assessment.circular.prepare": "起草通报", "assessment.circular.approve": "审批签发通报",
    "assessment.summons.view": "查看约谈", "assessment.summons.decide": "决定约谈",
    "assessment.summons.follow_up": "记录约谈及整改落实", "assessment.extension.view": "查看延期申请",
    "assessment.extension.request": "申请延期", "assessment.extension.branch_decide": "审核延期申请",
    "assessment.extension.city_decide": "审批延期申请", "assessment.agency.view": "查看咨询机构信用记录",
    "assessment.agency.suspend": "暂停或恢复咨询机构承接业务",
    "spotchecks.plan.view": "查看抽查方案", "spotchecks.plan.change": "制定或抽取抽查方案",
    "spotchecks.plan.approve": "审定抽查结果", "spotchecks.inspector.view": "查看检查人员名录",
    "spotchecks.inspector.change": "设置检查人员", "spotchecks.item.record": "录入抽查检查结果",
    "spotchecks.rectification.view": "查看整改任务", "spotchecks.rectification.open": "下达整改任务",
    "spotchecks.rectification.report": "报告整改情况", "spotchecks.rectification.close": "整改任务销号",
    "coverage.report.view": "查看应开展未开展情况", "coverage.register.import": "导入外部名录",
    "coverage.exemption.propose": "提出应开展未开展豁免", "coverage.exemption.decide": "审批应开展未开展豁免",
    "coverage.enrolment.add": "将企业纳入审核批次",
    "documents.document.issue": "签发文书", "documents.sealkey.manage": "管理电子印章密钥",
    "security.lockout.unlock": "解除登录锁定", "security.otp.reset": "重置动态口令",
    "security.event.view": "查询安全日志",
    "workbench.view": "查看工作台", "workbench.reminder.send": "向逾期分局催报",
}


def allowed(user, action: str) -> bool:
    if getattr(user, "is_system", False):
        return True
    return getattr(user, "role", None) in RULES[action]


def check(user, action: str, obj=None) -> None:
    """Raise PermissionDenied unless the role may take `action` and, for an object, the object is the
    user's to act on: a new object's county within the jurisdiction, a saved one within `scope`, a
    campaign owned by the user's agency (or the province's)."""
    label = ACTION_LABELS.get(action, action)
    if not allowed(user, action):
        role = getattr(user, "get_role_display", lambda: "")()
        raise PermissionDenied(f"您的角色（{role}）无权{label}" if role else f"无权{label}")
    if obj is None or getattr(user, "is_system", False):
        return
    county = getattr(obj, "county_id", None)
    if county and getattr(user, "role", None) in GOVERNMENT_ROLES and not jurisdiction_of(user).covers(county):
        raise PermissionDenied(f"「{obj}」所在县（市、区）不在您的辖区内，无权{label}")
    label_lower = obj._meta.label_lower
    if obj.pk and (label_lower in ENTERPRISE_PATHS or label_lower in ENROLMENT_PATHS or label_lower in _SCOPES):
        if not scope(user, type(obj)._default_manager.filter(pk=obj.pk)).exists():
            raise PermissionDenied(f"「{obj}」不在您的管理范围内，无权{label}")
    if label_lower == "campaigns.campaign" and obj.pk and not _owns_campaign(user, obj):
        raise PermissionDenied(f"审核批次「{obj}」由{obj.owner_agency or '省生态环境厅'}制定，您无权修改")


def _owns_campaign(user, campaign) -> bool:
    """A campaign is changed by its owner agency; the province may change any in its province."""
    role = getattr(user, "role", None)
    if role == Role.PROVINCE_STAFF:
        owner = campaign.owner_agency
        return owner is None or owner.division_id[:2] == user.agency.division_id[:2]
    return campaign.owner_agency_id is not None and campaign.owner_agency_id == getattr(user, "agency_id", None)


def _enterprise_q(user, path: str) -> Q | None:
    """Q selecting the enterprises (through `path`, '' for Enterprise itself) the user may see;
    None means nothing."""
    from cpaudit.campaigns.models import AuditMode, Campaign, Enrolment

    pk_path = f"{path}__pk" if path else "pk"
    county_path = f"{path}__county__code" if path else "county__code"
    role = getattr(user, "role", None)
    if getattr(user, "is_system", False):
        return Q()
    if role in GOVERNMENT_ROLES:
        jur = jurisdiction_of(user)
        return None if jur.empty else jur.q(county_path)
    if role == Role.ENTERPRISE and user.enterprise_id:
        return Q(**{pk_path: user.enterprise_id})
    if role == Role.CONSULTANT and user.consulting_agency_id:
        engaged = Enrolment.objects.filter(
            consulting_agency_id=user.consulting_agency_id, mode=AuditMode.ENTRUSTED,
            campaign__status=Campaign.Status.ACTIVE,
        ).values("enterprise_id")
        return Q(**{f"{pk_path}__in": engaged})
    return None


# model label → path from the model to its enterprise ('' = the model is the enterprise).
ENTERPRISE_PATHS = {
    "registry.enterprise": "",
}
# model label → path from the model to its enrolment ('' = the model is the enrolment). Everything
# recorded in an audit hangs off an enrolment, and is seen by whoever sees that enrolment.
ENROLMENT_PATHS = {
    "campaigns.enrolment": "",
    "progress.steprecord": "enrolment",
    "progress.option": "enrolment",
    "progress.figures": "enrolment",
    "progress.productoutput": "figures__enrolment",
    "assessment.extension": "enrolment",
}


def _enrolment_q(user, path: str) -> Q | None:
    prefix = f"{path}__" if path else ""
    if getattr(user, "role", None) == Role.CONSULTANT:
        # A consultant sees the engagements of its own agency, not the enterprise's other audits.
        from cpaudit.campaigns.models import AuditMode, Campaign

        if not user.consulting_agency_id:
            return None
        return Q(**{f"{prefix}consulting_agency_id": user.consulting_agency_id, f"{prefix}mode": AuditMode.ENTRUSTED,
                    f"{prefix}campaign__status": Campaign.Status.ACTIVE})
    return _enterprise_q(user, f"{prefix}enterprise")


def scope(user, qs: QuerySet) -> QuerySet:
    label = qs.model._meta.label_lower
    if user is None or not getattr(user, "is_authenticated", False):
        return qs.none()
    if label in ENROLMENT_PATHS or label in ENTERPRISE_PATHS:
        q = (_enrolment_q(user, ENROLMENT_PATHS[label]) if label in ENROLMENT_PATHS
             else _enterprise_q(user, ENTERPRISE_PATHS[label]))
        return qs.none() if q is None else qs.filter(q)
    handler = _SCOPES.get(label)
    if handler is None:
        raise LookupError(f"{label} has no scope rule: add one to cpaudit.org.access")
    return handler(user, qs)


def get_in_scope(user, qs: QuerySet, **lookup):
    """The object if the user may see it, else 404 (never 403: existence is not disclosed)."""
    obj = scope(user, qs).filter(**lookup).first()
    if obj is None:
        raise Http404("对象不存在或不在您的辖区内")
    return obj


def _campaign_scope(user, qs):
    role = getattr(user, "role", None)
    if getattr(user, "is_system", False) or role in GOVERNMENT_ROLES:
        return qs
    if role in (Role.ENTERPRISE, Role.CONSULTANT):
        from cpaudit.campaigns.models import Enrolment

        visible = scope(user, Enrolment.objects.all()).values("campaign_id")
        return qs.filter(pk__in=visible)
    return qs.none()


def _consulting_scope(user, qs):
    role = getattr(user, "role", None)
    if getattr(user, "is_system", False) or role in GOVERNMENT_ROLES:
        return qs
    if role == Role.CONSULTANT:
        return qs.filter(pk=user.consulting_agency_id)
    if role == Role.ENTERPRISE:
        return qs.filter(enrolments__enterprise_id=user.enterprise_id).distinct()
    return qs.none()


def _model(app_label: str, name: str):
    from django.apps import apps

    return apps.get_model(app_label, name)


def _report_scope(user, qs):
    """A branch sees its own reports, a city its branches' and its own consolidation, the province all
    in the province."""
    if getattr(user, "is_system", False):
        return qs
    if getattr(user, "role", None) not in GOVERNMENT_ROLES or not user.agency_id:
        return qs.none()
    jur = jurisdiction_of(user)
    return qs.filter(jur.q("agency__division__code") | Q(agency_id=user.agency_id))


def _campaigns():
    from cpaudit.campaigns.models import Campaign

    return Campaign.objects.all()


def _log_scope(user, qs):
    return qs if getattr(user, "role", None) == Role.AUDIT_ADMIN else qs.none()


def _alias_scope(user, qs):
    """Government staff see the aliases of their counties; the system administrator all of them."""
    role = getattr(user, "role", None)
    if getattr(user, "is_system", False) or role == Role.SYSTEM_ADMIN:
        return qs
    if role in GOVERNMENT_ROLES:
        jur = jurisdiction_of(user)
        return qs.none() if jur.empty else qs.filter(jur.q("county__code"))
    return qs.none()


def _job_scope(user, qs):
    if getattr(user, "is_system", False):
        return qs
    return qs.filter(created_by_id=user.pk)


def _division_scope(user, qs):
    return qs


def _admin_scope(user, qs):
    role = getattr(user, "role", None)
    return qs if role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN) else qs.none()


def _application_scope(user, qs):
    """Whoever sees the enrolment sees its applications; an expert only those of the panels it sits on."""
    if getattr(user, "role", None) == Role.EXPERT:
        panels = _model("experts", "Panel").objects.filter(is_current=True, members__expert__user_id=user.pk)
        return qs.filter(pk__in=panels.values("application_id"))
    q = _enrolment_q(user, "enrolment")
    return qs.none() if q is None else qs.filter(q)


def _applications(user):
    return _application_scope(user, _model("applications", "Application").objects.all())


def _evidence_scope(user, qs):
    """Whoever sees the enrolment sees its evidence; an expert the deliverables (steps 22, 27, 35) of
    the applications whose current panel it sits on."""
    if getattr(user, "role", None) == Role.EXPERT:
        from cpaudit.progress.steps import DELIVERABLE_STEPS

        return qs.filter(record__enrolment_id__in=_applications(user).values("enrolment_id"),
                         record__step_id__in=DELIVERABLE_STEPS)
    q = _enrolment_q(user, "record__enrolment")
    return qs.none() if q is None else qs.filter(q)


def _expert_scope(user, qs):
    role = getattr(user, "role", None)
    if getattr(user, "is_system", False) or role in GOVERNMENT_ROLES:
        return qs
    if role == Role.EXPERT:
        return qs.filter(user_id=user.pk)
    return qs.none()


def _panel_scope(user, qs):
    role = getattr(user, "role", None)
    if getattr(user, "is_system", False):
        return qs
    if role == Role.EXPERT:
        return qs.filter(is_current=True, members__expert__user_id=user.pk).distinct()
    if role in GOVERNMENT_ROLES:
        return qs.filter(application__in=_applications(user))
    return qs.none()


def _integrity(module: str):
    """integrity and oversight import this module: their scope rules are looked up when first used."""
    import importlib

    return importlib.import_module(f"cpaudit.integrity.{module}")


def _oversight(module: str):
    import importlib

    return importlib.import_module(f"cpaudit.oversight.{module}")


def _assessment(module: str):
    import importlib

    return importlib.import_module(f"cpaudit.assessment.{module}")


def _spotchecks():
    import importlib

    return importlib.import_module("cpaudit.spotchecks.selectors")


def _coverage(module: str):
    import importlib

    return importlib.import_module(f"cpaudit.coverage.{module}")


def _declaration_scope(user, qs):
    """Government staff see the experts' declarations and their own; an expert its own."""
    role = getattr(user, "role", None)
    if getattr(user, "is_system", False):
        return qs
    if role in GOVERNMENT_ROLES:
        return qs.filter(Q(expert__isnull=False) | Q(user_id=user.pk))
    if role == Role.EXPERT:
        return qs.filter(Q(user_id=user.pk) | Q(expert__user_id=user.pk))
    return qs.none()


_SCOPES = {
    "applications.application": _application_scope,
    "applications.applicationversion": lambda user, qs: qs.filter(application__in=_applications(user)),
    "applications.decision": lambda user, qs: qs.filter(application__in=_applications(user)),
    "applications.batch": lambda user, qs: _report_scope(user, qs),
    "applications.attachment": lambda user, qs: qs.filter(application__in=_applications(user)),
    "applications.assistance": lambda user, qs: qs.filter(application__in=_applications(user)),
    "applications.correction": lambda user, qs: qs.filter(application__in=_applications(user)),
    "applications.paperagency": lambda user, qs: qs if getattr(user, "role", None) in GOVERNMENT_ROLES
    or getattr(user, "is_system", False) else qs.none(),
    "experts.expert": _expert_scope,
    "experts.scoresheet": lambda user, qs: qs if getattr(user, "role", None) in GOVERNMENT_ROLES
    or getattr(user, "is_system", False) else qs.none(),
    "experts.panel": _panel_scope,
    "experts.panelmember": lambda user, qs: qs.filter(panel__in=_panel_scope(
        user, _model("experts", "Panel").objects.all())),
    "integrity.declaration": _declaration_scope,
    "integrity.intervention": lambda user, qs: _integrity("selectors").intervention_scope(user, qs),
    "oversight.finding": lambda user, qs: _oversight("selectors").finding_scope(user, qs),
    "oversight.calendarday": lambda user, qs: qs,  # the calendar holds no business data
    "coverage.exemption": lambda user, qs: _coverage("selectors").exemption_scope(user, qs),
    "coverage.register": lambda user, qs: _coverage("selectors").register_scope(user, qs),
    "spotchecks.plan": lambda user, qs: _spotchecks().plan_scope(user, qs),
    "spotchecks.item": lambda user, qs: _spotchecks().item_scope(user, qs),
    "spotchecks.rectification": lambda user, qs: _spotchecks().rectification_scope(user, qs),
    "spotchecks.inspector": lambda user, qs: _spotchecks().inspector_scope(user, qs),
    "assessment.circular": lambda user, qs: _assessment("selectors").circular_scope(user, qs),
    "assessment.summons": lambda user, qs: _assessment("selectors").summons_scope(user, qs),
    "assessment.commitment": lambda user, qs: qs.filter(summons__in=_assessment("selectors").summons_scope(
        user, _model("assessment", "Summons").objects.all())),
    "assessment.suspension": lambda user, qs: qs.filter(consulting_agency__in=_consulting_scope(
        user, _model("registry", "ConsultingAgency").objects.all())),
    "campaigns.campaign": _campaign_scope,
    "registry.consultingagency": _consulting_scope,
    "registry.divisionalias": _alias_scope,
    "core.actionlog": _log_scope,
    "jobs.job": _job_scope,
    "org.division": _division_scope,
    "org.agency": _admin_scope,
    "reports.monthlyreport": lambda user, qs: _report_scope(user, qs),
    "reports.reportversion": lambda user, qs: qs.filter(report__in=_report_scope(
        user, _model("reports", "MonthlyReport").objects.all())),
    "reports.notification": lambda user, qs: qs.filter(user_id=getattr(user, "pk", None)),
    "reports.resultssummary": lambda user, qs: _report_scope(user, qs),
    "reports.resultsversion": lambda user, qs: qs.filter(summary__in=_report_scope(
        user, _model("reports", "ResultsSummary").objects.all())),
    "progress.stagetarget": lambda user, qs: qs.filter(campaign__in=_campaign_scope(user, _campaigns())),
    "progress.evidence": _evidence_scope,
    "org.user": user_scope,
}
