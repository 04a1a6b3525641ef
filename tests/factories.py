"""Builders for test data. `World` is the standard cast: every role, inside and outside jurisdictions."""

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass, field

from django.utils import timezone
from stdnum.cn.uscc import calc_check_digit

from cpaudit.campaigns.models import AuditMode, Campaign, CampaignCounty, Enrolment
from cpaudit.core import storedfiles
from cpaudit.org.models import Agency, Division, User
from cpaudit.org.roles import GOVERNMENT_ROLES, AgencyKind, Role
from cpaudit.progress.models import Evidence, ReviewStatus, StepRecord, StepStatus
from cpaudit.progress.steps import DELIVERABLE_STEPS
from cpaudit.registry.models import ConsultingAgency, Enterprise, Industry

PASSWORD = "Test-pass-2024!"
_counter = itertools.count(1)


def make_uscc(n: int | None = None, prefix: str = "91130602") -> str:
    n = next(_counter) if n is None else n
    body = f"{prefix}{n:09d}"[:17]
    body = body.replace("I", "1").replace("O", "0")
    return body + calc_check_digit(body)


def make_enterprise(county: str = "130602", industry: str = "1511", **kwargs) -> Enterprise:
    n = next(_counter)
    defaults = {
        "name": f"测试企业{n}有限公司",
        "uscc": make_uscc(n, prefix="91" + county),
        "county_id": county,
        "address": f"测试路{n}号",
        "legal_representative": "张三",
        "industry_id": industry,
    }
    defaults.update(kwargs)
    return Enterprise.objects.create(**defaults)


def make_agency(name: str, kind: str, division: str, supervisor: Agency | None = None) -> Agency:
    return Agency.objects.create(name=name, kind=kind, division_id=division, supervisor=supervisor,
                                 head_name="局长甲", deputy_name="副局长乙", section_chief_name="科长丙")


def make_user(username: str, role: str, **kwargs) -> User:
    user = User(username=username, role=role, full_name=kwargs.pop("full_name", username), **kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_campaign(slug: str = "c2020", year: int = 2020, counties=("130602", "130606", "130682", "130102"),
                  status=Campaign.Status.ACTIVE) -> Campaign:
    campaign = Campaign.objects.create(
        slug=slug, name=f"{year}年白洋淀流域六行业涉水企业清洁生产审核", year=year, document_number="冀环办字函〔2020〕202号",
        status=status, evaluation_deadline=dt.date(year, 8, 20), acceptance_deadline=dt.date(year, 11, 20),
    )
    campaign.industries.set(Industry.objects.filter(code__in=["1511", "1513", "1713", "2710", "1910", "2221"]))
    for code in counties:
        CampaignCounty.objects.create(campaign=campaign, county_id=code)
    return campaign


@dataclass
class World:
    province: Agency
    baoding: Agency
    branch_a: Agency  # 竞秀区: "own" and "same county"
    branch_b: Agency  # 莲池区: "other county", same city
    dingzhou: Agency  # 省直管县
    sjz: Agency  # 石家庄: "other city"
    branch_sjz: Agency
    consulting: ConsultingAgency
    campaign: Campaign
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


def build_world() -> World:
    province = make_agency("河北省生态环境厅", AgencyKind.PROVINCE, "130000")
    baoding = make_agency("保定市生态环境局", AgencyKind.CITY, "130600", province)
    branch_a = make_agency("保定市生态环境局竞秀区分局", AgencyKind.COUNTY, "130602", baoding)
    branch_b = make_agency("保定市生态环境局莲池区分局", AgencyKind.COUNTY, "130606", baoding)
    dingzhou = make_agency("定州市生态环境局", AgencyKind.DIRECT_COUNTY, "130682", province)
    sjz = make_agency("石家庄市生态环境局", AgencyKind.CITY, "130100", province)
    branch_sjz = make_agency("石家庄市生态环境局长安区分局", AgencyKind.COUNTY, "130102", sjz)
    consulting = ConsultingAgency.objects.create(name="测试清洁生产咨询有限公司", uscc=make_uscc(prefix="91130600"))
    campaign = make_campaign()
    campaign.owner_agency = province
    campaign.save()
    enterprises = {
        "own": make_enterprise("130602", name="自有测试企业有限公司"),
        "same_county": make_enterprise("130602", name="同县测试企业有限公司"),
        "other_county": make_enterprise("130606", name="外县测试企业有限公司"),
        "other_city": make_enterprise("130102", name="外市测试企业有限公司"),
        "dingzhou": make_enterprise("130682", name="定州测试企业有限公司"),
    }
    for key, enterprise in enterprises.items():
        Enrolment.objects.create(
            campaign=campaign, enterprise=enterprise, start_date=dt.date(2020, 3, 1),
            mode=AuditMode.ENTRUSTED if key == "own" else AuditMode.SELF,
            consulting_agency=consulting if key == "own" else None,
        )
    users = {
        Role.ENTERPRISE: make_user("ent", Role.ENTERPRISE, enterprise=enterprises["own"]),
        Role.CONSULTANT: make_user("con", Role.CONSULTANT, consulting_agency=consulting),
        Role.BRANCH_STAFF: make_user("bstaff", Role.BRANCH_STAFF, agency=branch_a),
        Role.BRANCH_LEADER: make_user("blead", Role.BRANCH_LEADER, agency=branch_a),
        Role.CITY_STAFF: make_user("cstaff", Role.CITY_STAFF, agency=baoding),
        Role.CITY_LEADER: make_user("clead", Role.CITY_LEADER, agency=baoding),
        Role.PROVINCE_STAFF: make_user("pstaff", Role.PROVINCE_STAFF, agency=province),
        Role.PROVINCE_LEADER: make_user("plead", Role.PROVINCE_LEADER, agency=province),
        Role.EXPERT: make_user("expert", Role.EXPERT),
        Role.SYSTEM_ADMIN: make_user("sysadmin", Role.SYSTEM_ADMIN),
        Role.SECURITY_ADMIN: make_user("secadmin", Role.SECURITY_ADMIN),
        Role.AUDIT_ADMIN: make_user("auditadmin", Role.AUDIT_ADMIN),
    }
    for user in users.values():
        if user.role in GOVERNMENT_ROLES:
            declare(user)  # 事前有防: nobody decides without a current declaration of interest
    return World(province, baoding, branch_a, branch_b, dingzhou, sjz, branch_sjz, consulting, campaign,
                 enterprises, users)


def county(code: str) -> Division:
    return Division.objects.get(code=code)


# --- audits that have got somewhere (progress) -------------------------------------------------------

EVIDENCE_PDF = b"%PDF-1.4\n% cpaudit test evidence\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _uploader(enrolment) -> User:
    """Who uploads a test file: the enterprise's user, else its consulting agency's, else an inactive
    enterprise account made for it (never notified, never logged in)."""
    found = (User.objects.filter(enterprise=enrolment.enterprise, is_active=True).order_by("pk").first()
             or User.objects.filter(consulting_agency_id=enrolment.consulting_agency_id, is_active=True)
             .exclude(consulting_agency=None).order_by("pk").first())
    if found:
        return found
    username = f"files_{enrolment.enterprise_id}"
    return User.objects.filter(username=username).first() or make_user(
        username, Role.ENTERPRISE, enterprise=enrolment.enterprise, is_active=False)


def attach_evidence(record, *, uploaded_by=None, name: str | None = None, content: bytes = EVIDENCE_PDF):
    """A current evidence file on a step record, stored like an upload (core.storedfiles) but without
    the service: the setting of a test, not what it tests."""
    digest = hashlib.new("sm3", content).hexdigest()
    path = storedfiles.stored_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return Evidence.objects.create(
        record=record, digest=digest, original_name=name or f"第{record.step_id}步成果.pdf", kind=Evidence.Kind.PDF,
        content_type="application/pdf", size=len(content), uploaded_by=uploaded_by or _uploader(record.enrolment),
        uploaded_at=timezone.now(), is_current=True)


def complete_audit(enrolment, through: int = 27, *, confirmed: bool = True, evidence: bool = True,
                   start: dt.date = dt.date(2020, 3, 1), day: dt.date = dt.date(2020, 6, 30)) -> list:
    """Steps 1…`through` completed, confirmed by the branch (else awaiting it) and with a file on each
    deliverable step among them (22, 27, 35): what an application relies on. Records written directly
    (no service, no log). Returns the records."""
    records = []
    for number in range(1, through + 1):
        record, _ = StepRecord.objects.update_or_create(enrolment=enrolment, step_id=number, defaults={
            "status": StepStatus.COMPLETED, "start_date": start, "completion_date": day,
            "review": ReviewStatus.CONFIRMED if confirmed else ReviewStatus.PENDING,
            "reviewed_at": timezone.now() if confirmed else None})
        if evidence and number in DELIVERABLE_STEPS and not Evidence.objects.filter(record=record,
                                                                                     is_current=True).exists():
            attach_evidence(record)
        records.append(record)
    return records


# --- declarations of interest (integrity) ----------------------------------------------------------

def declare(subject, *, ties=(), declared_at=None, declared_by=None):
    """A current declaration of interest for a user (government staff) or an expert of the pool,
    superseding any earlier one; written directly (no service, no log): the setting of a test.
    `ties` are (kind, enterprise or consulting agency[, detail]); `declared_at` defaults to now."""
    from cpaudit.experts.models import Expert
    from cpaudit.integrity.models import Declaration, Tie

    key = {"expert": subject} if isinstance(subject, Expert) else {"user": subject}
    last = Declaration.objects.filter(**key).order_by("-version").first()
    Declaration.objects.filter(**key, is_current=True).update(is_current=False)
    owner = declared_by or (subject.user if isinstance(subject, Expert) else subject)
    declaration = Declaration.objects.create(**key, version=(last.version + 1) if last else 1, is_current=True,
                                             declared_by=owner, declared_at=declared_at or timezone.now())
    for kind, party, *detail in ties:
        side = {"enterprise": party} if isinstance(party, Enterprise) else {"consulting_agency": party}
        Tie.objects.create(declaration=declaration, kind=kind, detail=detail[0] if detail else "", **side)
    return declaration


# --- electronic seals (documents) --------------------------------------------------------------------

def make_seal_keys(*agencies, platform: bool = True) -> dict:
    """An active seal key for each agency given (and the platform's), through the key services as a
    SystemActor — as load-demo does. Returns {agency or "platform": SealKey}."""
    from cpaudit.core.actors import SystemActor
    from cpaudit.documents import keys

    actor, made = SystemActor("pytest"), {}
    if platform:
        made["platform"] = keys.active_key(platform=True) or keys.seal_key_generate(actor=actor, platform=True)
    for agency in agencies:
        made[agency] = keys.active_key(agency) or keys.seal_key_generate(actor=actor, agency=agency)
    return made


def make_platform_key_unlogged():
    """The platform's active key, without the log entry the key service writes: for tests that count
    log entries from seq 1 (the core log tests)."""
    from django.db import transaction

    from cpaudit.core.actors import SystemActor
    from cpaudit.documents import keys

    with transaction.atomic():
        return keys.active_key(platform=True) or keys._new_key(SystemActor("pytest"), None)
