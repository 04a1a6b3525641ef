"""Loading the demo data set (cpaudit.demo.data) into the database: `cpaudit load-demo`.

Acts as SystemActor("load-demo") and goes through the business services (enterprise_create,
consulting_agency_save, campaign_save, enrolment_save), so the action log records the load. Agencies
and users have no service yet: they are created here, each with its own log entry. Everything is
looked up by natural key first and only what is missing is created, so a second run changes nothing.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.campaigns.services import campaign_save, enrolment_save
from cpaudit.core import clock
from cpaudit.core.actors import SystemActor
from cpaudit.documents.keys import demo_seal_keys
from cpaudit.integrity.demo import declare_demo_people
from cpaudit.org.models import Agency, User
from cpaudit.org.roles import Role
from cpaudit.org.services import agency_create, user_create
from cpaudit.registry.industries import six_industry_codes
from cpaudit.registry.models import ConsultingAgency, Enterprise
from cpaudit.registry.services import consulting_agency_save, enterprise_create

from . import data as demo
from .applications_data import load_applications
from .assessment_data import load_assessment
from .coverage_data import OUTSIDE_REASON, load_coverage
from .progress_data import load_progress
from .reports_data import load_reports
from .spotchecks_data import load_spotchecks
from .workbench_data import LOGINS as WORKBENCH_LOGINS
from .workbench_data import load_workbench_logins

ACTOR_NAME = "load-demo"


@dataclass
class Account:
    username: str
    role_label: str
    unit: str
    note: str = ""


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    accounts: list[Account] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def created_anything(self) -> bool:
        return any(self.created.values())


def load_demo(*, today: dt.date | None = None) -> LoadResult:
    if not settings.CPAUDIT_DEMO_MODE:
        raise ImproperlyConfigured("演示模式未开启（CPAUDIT_DEMO_MODE=False），拒绝写入演示数据。")
    today = today or clock.today()
    if today.year < demo.HISTORY_YEAR:
        raise ImproperlyConfigured(
            f"演示数据要求当前日期不早于{demo.HISTORY_YEAR}年（当前为{today:%Y-%m-%d}）。")
    actor = SystemActor(ACTOR_NAME)
    data = demo.build()
    result = LoadResult()
    with transaction.atomic():
        agencies = _load_agencies(actor, data, result)
        result.created["电子印章密钥"] = demo_seal_keys(actor)  # every agency's and the platform's (documents)
        consulting = _load_consulting(actor, data, result)
        enterprises = _load_enterprises(actor, data, result)
        _load_campaigns(actor, data, today, consulting, enterprises, result)
        _load_users(actor, data, agencies, consulting, enterprises, result)
        result.created["利益关系申报"] = declare_demo_people()  # before anyone decides (integrity)
        # Audit progress of the campaigns whose enrolments have none yet (idempotent; see progress_data).
        result.created.update(load_progress(actor, today))
        active = Campaign.objects.filter(status=Campaign.Status.ACTIVE).order_by("-year").first()
        if active is not None:
            # In time order: a report counts what the register holds on its data date, so everything
            # dated before a report (steps, then applications) exists when the report is submitted.
            result.created["评估/验收申请"] = load_applications(actor, active, today)
            result.created["待办企业的演示账号"] = load_workbench_logins(actor, active)  # workbench journeys
            result.accounts += [_account(user) for user in
                                User.objects.filter(username__in=[name for name, _ in WORKBENCH_LOGINS])
                                .select_related("agency", "enterprise", "consulting_agency").order_by("username")]
            result.created["月度报告"] = load_reports(active, today)
            result.created["应开展未开展豁免"] = load_coverage(active)
            result.created["考核通报、约谈、延期"] = load_assessment(active, today)
            result.created["双随机抽查方案"] = load_spotchecks(active, today)
    return result


def _load_agencies(actor, data: demo.DemoData, result: LoadResult) -> dict[str, Agency]:
    agencies = {a.name: a for a in Agency.objects.filter(name__in=[s.name for s in data.agencies])}
    created = 0
    for spec in data.agencies:  # supervisors come first in the list
        if spec.name in agencies:
            continue
        agency = Agency(name=spec.name, kind=spec.kind, division_id=spec.division,
                        supervisor=agencies[spec.supervisor] if spec.supervisor else None,
                        head_name=spec.head_name, deputy_name=spec.deputy_name,
                        section_chief_name=spec.section_chief_name, phone=spec.phone)
        agencies[spec.name] = agency_create(actor=actor, agency=agency)
        created += 1
    result.created["主管部门"] = created
    return agencies


def _load_consulting(actor, data: demo.DemoData, result: LoadResult) -> dict[str, ConsultingAgency]:
    names = [s.name for s in data.consulting]
    existing = {c.name: c for c in ConsultingAgency.objects.filter(name__in=names)}
    codes_by_group: dict[str, list[str]] = {}
    for group, code in six_industry_codes():
        codes_by_group.setdefault(group, []).append(code)
    created = 0
    for spec in data.consulting:
        if spec.name in existing:
            continue
        industries = sorted({code for group in spec.groups for code in codes_by_group[group]})
        existing[spec.name] = consulting_agency_save(
            actor=actor, agency=None, industries=industries,
            data={"name": spec.name, "uscc": spec.uscc, "contact_person": spec.contact_person,
                  "contact_phone": spec.contact_phone, "address": spec.address},
        )
        created += 1
    result.created["咨询机构"] = created
    return existing


def _load_enterprises(actor, data: demo.DemoData, result: LoadResult) -> dict[str, Enterprise]:
    existing = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=[s.uscc for s in data.enterprises])}
    created = 0
    for spec in data.enterprises:
        if spec.uscc in existing:
            continue
        existing[spec.uscc] = enterprise_create(actor=actor, data=dict(spec.data))
        created += 1
    result.created["企业"] = created
    return existing


def _campaign_plans(data: demo.DemoData, today: dt.date) -> list[dict]:
    """The 2020 campaign (history, closed after enrolling) and the current year's, active. If "today" is
    in 2020 itself (a pinned demo clock), the 2020 campaign is the current one."""
    counties = demo.campaign_counties()
    history_notice = {"notice_title": demo.NOTICE_TITLE, "notice_issuer": demo.NOTICE_ISSUER,
                      "notice_number": "", "notice_date": demo.HISTORY_NOTICE_DATE}
    current = {
        "slug": f"byd{today.year}", "year": today.year, "close": False, "counties": counties,
        # A list without its 省级文号 cannot fill Table 1; the current demo list's number is made up.
        "document_number": demo.HISTORY_DOCUMENT_NUMBER if today.year == demo.HISTORY_YEAR
        else f"冀环办字函〔{today.year}〕36号（演示）",
        "notice": history_notice if today.year == demo.HISTORY_YEAR else {
            "notice_title": demo.NOTICE_TITLE, "notice_issuer": demo.NOTICE_ISSUER,
            "notice_number": demo.NOTICE_NUMBER.format(year=today.year),
            "notice_date": min(dt.date(today.year, 2, 20), today)},
        "enrolments": [_dated(e, today) for e in data.current_enrolments],
    }
    if today.year == demo.HISTORY_YEAR:
        return [current]
    history = {
        "slug": demo.HISTORY_SLUG, "year": demo.HISTORY_YEAR, "close": True, "counties": counties,
        "document_number": demo.HISTORY_DOCUMENT_NUMBER, "notice": history_notice,
        "enrolments": [_dated(e, today) for e in data.history_enrolments],
    }
    return [history, current]


def _dated(spec: demo.EnrolmentSpec, today: dt.date) -> tuple[str, dict]:
    if spec.start_days_ago is None:
        start, end = spec.start, spec.end
    else:
        start = today - dt.timedelta(days=spec.start_days_ago)
        end = start + dt.timedelta(days=spec.duration_days) if spec.duration_days is not None else None
    return spec.uscc, {
        "audit_round": spec.audit_round, "mode": spec.mode, "consulting_agency": spec.consulting,
        "start_date": start, "end_date": end, "enterprise_type": spec.enterprise_type,
        "has_deadline_project": spec.has_deadline_project,
        "deadline_project_done": spec.deadline_project_done, "has_violation": spec.has_violation,
    }


def _demo_deadlines(plan, today: dt.date) -> tuple[dt.date, dt.date]:
    """The seed's 08-20 / 11-20, except for the campaign in progress once those are near or past:
    then the demo moves them ahead of today (an extended campaign) so "days left" stays live."""
    evaluation, acceptance = dt.date(plan["year"], 8, 20), dt.date(plan["year"], 11, 20)
    if plan["close"] or evaluation - today >= dt.timedelta(days=30):
        return evaluation, acceptance
    evaluation = today + dt.timedelta(days=45)
    return evaluation, evaluation + dt.timedelta(days=90)


def _load_campaigns(actor, data, today, consulting, enterprises, result: LoadResult) -> None:
    created_campaigns = created_enrolments = 0
    for plan in _campaign_plans(data, today):
        campaign = Campaign.objects.filter(slug=plan["slug"]).first()
        new = campaign is None
        if new:
            evaluation, acceptance = _demo_deadlines(plan, today)
            campaign = campaign_save(
                actor=actor, campaign=None, counties=plan["counties"],
                data={"slug": plan["slug"], "name": demo.CAMPAIGN_NAME.format(year=plan["year"]),
                      "year": plan["year"], "document_number": plan["document_number"], **plan["notice"],
                      "status": Campaign.Status.ACTIVE, "evaluation_deadline": evaluation,
                      "acceptance_deadline": acceptance},
            )
            created_campaigns += 1
        enrolled = set(Enrolment.objects.filter(campaign=campaign).values_list("enterprise__uscc", flat=True))
        missing = [(uscc, values) for uscc, values in plan["enrolments"] if uscc not in enrolled]
        if missing and campaign.status != Campaign.Status.ACTIVE:
            result.warnings.append(f"审核批次“{campaign.slug}”已结束，{len(missing)}家演示企业未能加入名单。")
            missing = []
        for uscc, values in missing:
            values = dict(values)
            agency_name = values.pop("consulting_agency")
            values["consulting_agency_id"] = consulting[agency_name].pk if agency_name else None
            values["scope_reason"] = "" if plan["counties"].get(enterprises[uscc].county_id, True) else OUTSIDE_REASON
            enrolment_save(actor=actor, enrolment=None, campaign=campaign, enterprise=enterprises[uscc],
                           data=values)
            created_enrolments += 1
        if new and plan["close"]:
            campaign_save(actor=actor, campaign=campaign, data={"status": Campaign.Status.CLOSED})
    result.created["审核批次"] = created_campaigns
    result.created["审核企业"] = created_enrolments


def _load_users(actor, data, agencies, consulting, enterprises, result: LoadResult) -> None:
    existing = {u.username: u for u in User.objects.filter(username__in=[s.username for s in data.users])
                .select_related("agency", "enterprise", "consulting_agency")}
    # One PBKDF2 hash for the one shared demo password: hashing it per account (~0.5 s each) would make
    # the load take half a minute. user_create still runs every password validator for each account.
    hashed = None
    created = 0
    for spec in data.users:
        user = existing.get(spec.username)
        if user is None:
            hashed = hashed or make_password(demo.PASSWORD)
            user = User(username=spec.username, full_name=spec.full_name, role=spec.role, is_demo=True,
                        is_inspector=spec.is_inspector,
                        agency=agencies[spec.agency] if spec.agency else None,
                        enterprise=enterprises[spec.enterprise_uscc] if spec.enterprise_uscc else None,
                        consulting_agency=consulting[spec.consulting] if spec.consulting else None)
            user_create(actor=actor, user=user, password=demo.PASSWORD, password_hash=hashed)  # validated
            created += 1
        elif not user.is_demo:
            result.warnings.append(f"已存在同名的非演示账号“{user.username}”，未作修改，不能用演示密码登录。")
        result.accounts.append(_account(user))
    result.created["演示账号"] = created


def _account(user: User) -> Account:
    label = Role(user.role).label if user.role else "（无角色）"
    if user.is_inspector:
        label += "（检查人员）"
    unit = user.agency or user.enterprise or user.consulting_agency
    return Account(user.username, label, str(unit) if unit else "—", user.full_name)
