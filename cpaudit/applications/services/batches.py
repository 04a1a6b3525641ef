"""The branch's and the city's written applications (书面评估、验收申请): a covering letter and the
list of enterprises, submitted by the unit's leader (seed § 二: 各分局收集汇总后向市局写出书面申请 … 由
市局向省厅写出书面申请). Submitting a batch moves every application in it one level up.

Log codes: applications.batch.submitted (one entry for the letter), applications.application.forwarded
(one per application, so each application's history is complete on its own).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from cpaudit.core import clock
from cpaudit.core.actors import is_system
from cpaudit.core.chain import document_digest
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.integrity.requirements import require_current_declaration
from cpaudit.org import access
from cpaudit.org.models import Agency
from cpaudit.org.roles import BRANCH_AGENCY_KINDS

from .. import transitions
from ..models import FORM_NUMBERS, Application, Batch, Kind, Level
from .basis import require_seen
from .common import (
    after_commit_checkpoint,
    agency_users,
    branches_for,
    chain_route,
    latest_version,
    notify,
    paper_config,
    require_not_related,
    route,
)

register("applications.batch.submitted", "报送评估/验收申请（书面申请）")
register("applications.application.forwarded", "随书面申请报送上级")

# level → the batch row of the chain (transitions.py): the state the applications wait in and where
# the letter takes them; the leader of that level sends it.
BATCH_ROWS = {row.party: row for row in transitions.TRANSITIONS if row.page == transitions.BATCH}


def level_of(actor) -> str:
    role = getattr(actor, "role", None)
    for level, row in BATCH_ROWS.items():
        if role == transitions.ROLES[(level, row.desk)]:
            return level
    raise PermissionDenied("书面申请由分局或市局负责人报送")


def waiting(actor, campaign, kind: str):
    """The applications whose batch is the actor's turn (for the form and the list)."""
    level = level_of(actor)
    row = BATCH_ROWS[level]
    qs = access.scope(actor, Application.objects.filter(campaign=campaign, kind=kind, status=row.source))
    apps = list(qs.select_related("enrolment__enterprise__county", "organizer").order_by("enrolment__enterprise__name"))
    routes = routes_for(apps)
    return [a for a in apps if transitions.owner(a.status, routes[a.pk]).includes(actor)]


def routes_for(applications) -> dict:
    """Application id → its chain route, for many applications in two queries."""
    branches = branches_for(applications)
    agencies = {a.pk: route(a, branches) for a in applications}
    config = paper_config({x.pk for ag in agencies.values() for x in ag.values()})
    return {a.pk: chain_route(a, agencies[a.pk], config) for a in applications}


def default_title(agency, campaign, kind: str) -> str:
    return f"{agency}关于{campaign.year}年清洁生产审核{Kind(kind).label}的申请"


def notice_basis(campaign) -> str:
    """根据《notice》（文号）要求 — the campaign's notice, else the campaign's list."""
    citation = campaign.notice_citation()
    if citation:
        return f"根据{citation}要求，"
    return f"根据{campaign.name}工作安排" + (f"（名单文号：{campaign.document_number}）" if campaign.document_number
                                        else "") + "，"


ORGANIZER_WORDS = {Level.PROVINCE: "省管", Level.CITY: "市管", Level.BRANCH: "其他"}


def _split(organizer_levels) -> dict[str, int]:
    counts = {level: 0 for level in ORGANIZER_WORDS}
    for level in organizer_levels:
        counts[level or Level.BRANCH] += 1
    return counts


def default_letter(agency, campaign, kind: str, count: int, organizer_levels=()) -> str:
    """The written application: who applied to whom, what the unit checked, and per management level
    who will organize (seed § 二: 省管 the province with the city assisting, 市管 the city, others the
    county branch) — never asking the province to organize what a branch organizes."""
    label = Kind(kind).label
    done = "清洁生产审核报告编制" if kind == Kind.EVALUATION else "中/高费方案实施"
    n = _split(organizer_levels)
    if agency.kind in BRANCH_AGENCY_KINDS:
        opening = (f"{notice_basis(campaign)}我局辖区内{count}家企业已完成{done}，分别向我局提出了清洁生产审核"
                   f"{label}书面申请并附{FORM_NUMBERS[kind]}。经我局审核，企业申报资料齐全、情况属实。")
        parts = []
        if n[Level.PROVINCE]:
            parts.append(f"省管企业{n[Level.PROVINCE]}家，请市局报请省生态环境厅组织{label}")
        if n[Level.CITY]:
            parts.append(f"市管企业{n[Level.CITY]}家，请市局组织{label}")
        if n[Level.BRANCH]:
            parts.append(f"其他企业{n[Level.BRANCH]}家，由我局参照《清洁生产审核评估与验收指南》组织{label}")
    else:
        opening = (f"{notice_basis(campaign)}经各县（市、区）生态环境分局收集汇总并经我局初审，{count}家企业的"
                   f"清洁生产审核{label}申请资料齐全、情况属实。")
        parts = []
        if n[Level.PROVINCE]:
            parts.append(f"省管企业{n[Level.PROVINCE]}家，请省生态环境厅组织{label}，我局协助实施")
        if n[Level.CITY]:
            parts.append(f"市管企业{n[Level.CITY]}家，由我局组织{label}")
        if n[Level.BRANCH]:
            parts.append(f"其他企业{n[Level.BRANCH]}家，由所在县（市、区）生态环境分局组织{label}")
    plan = ("其中" + "；".join(parts) + "。") if parts else ""
    return f"{opening}{plan}现将{label}申请及申请表一并报上，企业名单及组织单位附后，请予审批。"


@transaction.atomic
def batch_submit(*, actor, campaign, kind: str, applications, title: str = "", letter: str = "",
                 seen: dict | None = None) -> Batch:
    """The leader sends the chosen waiting applications up with one letter; all or nothing. `seen`:
    application id → the token the page showed for it (basis.seen_token); a stale one is refused."""
    level = level_of(actor)
    row = BATCH_ROWS[level]
    access.check(actor, "applications.batch.submit")
    if is_system(actor):
        raise PermissionDenied("书面申请须由单位负责人本人报送")
    require_current_declaration(actor, "报送书面申请")
    if kind not in Kind.values:
        raise InvalidState(f"未知的申请类型“{kind}”", code="wrong_kind")
    ids = sorted({a.pk if hasattr(a, "pk") else int(a) for a in applications})
    if not ids:
        raise InvalidState("请至少选择一家企业的申请", code="empty_batch")
    # Lock in pk order: two leaders batching overlapping sets cannot deadlock.
    locked = list(Application.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
                  .select_related("enrolment__enterprise__county", "enrolment__consulting_agency", "organizer",
                                  "campaign"))
    if len(locked) != len(ids):
        raise InvalidState("所选申请不存在或已被删除，请刷新页面", code="missing")
    routes = routes_for(locked)
    recipient, relied = None, {}
    for application in locked:
        access.check(actor, "applications.batch.submit", application)
        name = application.enrolment.enterprise
        if application.campaign_id != campaign.pk or application.kind != kind:
            raise InvalidState(f"{name}的申请不属于本批次或类型不符", code="mismatch")
        chain = routes[application.pk]
        if application.status != row.source:
            raise InvalidState(f"{name}的申请当前为“{application.get_status_display()}”，不能报送"
                               "（可能已由他人报送，请刷新页面）", code="wrong_state")
        transitions.find(application.status, chain, row.action)
        if not transitions.owner(application.status, chain).includes(actor):
            raise PermissionDenied(f"{name}的申请不由{actor.agency}报送")
        require_not_related(actor, application, "报送该企业的申请")
        try:
            relied[application.pk] = require_seen(application, None if seen is None else seen.get(application.pk, ""))
        except InvalidState as exc:
            raise InvalidState(f"{name}：{exc.message}", code=exc.code) from exc
        recipient = chain.agencies[Level.CITY if level == Level.BRANCH else Level.PROVINCE]
    # Lock the sending agency's row: two leaders of one agency cannot take the same batch number.
    agency = Agency.objects.select_for_update().get(pk=actor.agency_id)
    number = (Batch.objects.filter(agency=agency, campaign=campaign, kind=kind).aggregate(n=Max("number"))["n"]
              or 0) + 1
    title = (title or "").strip() or default_title(agency, campaign, kind)
    letter = (letter or "").strip() or default_letter(agency, campaign, kind, len(locked),
                                                     [routes[a.pk].organizer_level for a in locked])
    items = [{**_item(application, routes[application.pk]), "basis": relied[application.pk]} for application in locked]
    content = {"title": title, "agency": agency.name, "recipient": recipient.name, "kind": kind,
               "kind_label": Kind(kind).label, "level": level,
               "campaign": {"name": campaign.name, "year": campaign.year, "document_number": campaign.document_number,
                            "notice": campaign.notice_citation()},
               "letter": letter, "date": clock.today().isoformat(), "signed_by": actor.full_name or actor.username,
               "items": items}
    batch = Batch.objects.create(level=level, agency=agency, recipient=recipient, campaign=campaign, kind=kind,
                                 number=number, title=title, letter=letter, content=content,
                                 digest=document_digest(content), submitted_by=actor,
                                 submitted_at=clock.business_now())
    log_action(actor=actor, action="applications.batch.submitted", obj=batch,
               data={"applications": ids, "digest": batch.digest, "recipient": recipient.name, "number": number})
    field = "branch_batch" if level == Level.BRANCH else "city_batch"
    for application in locked:
        before, after = transitions.apply(application, row)
        setattr(application, field, batch)
        application.save(update_fields=["status", field, "updated_at"])
        log_action(actor=actor, action=row.log, obj=application, changes={"status": [before, after]},
                   data={"batch": batch.pk, "title": title})
    # One message per recipient for the whole letter (not one per enterprise).
    turn = transitions.owner(row.target, routes[locked[0].pk])
    if turn is not None and turn.agency is not None:
        what = transitions.next_label(row.target, routes[locked[0].pk])
        notify(agency_users(turn.agency, [turn.role]), locked[0],
               f"{agency}报送了{title}（{len(locked)}家企业）：{what}", f"batch:{batch.pk}")
    after_commit_checkpoint()
    return batch


def _item(application, chain) -> dict:
    """One enterprise of the letter's list: who it is, who will organize, what was submitted."""
    from .attachments import version_attachments

    enterprise = application.enrolment.enterprise
    version = latest_version(application)
    organizer = chain.organizer
    return {"application": application.pk, "enterprise": enterprise.name, "uscc": enterprise.uscc,
            "county": enterprise.county.name, "management_level": enterprise.get_management_level_display(),
            "organizer": organizer.name if organizer else "",
            "organizer_level": chain.organizer_level,
            "version": version.number, "digest": version.digest,
            "attachments": version_attachments(version)}
