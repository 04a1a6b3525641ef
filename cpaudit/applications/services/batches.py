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
from cpaudit.org import access
from cpaudit.org.models import Agency
from cpaudit.org.roles import Role

from ..models import Application, Batch, Kind, Level, Status
from .common import (
    after_commit_checkpoint,
    agency_users,
    branches_for,
    latest_version,
    notify,
    require_not_related,
    route,
)

register("applications.batch.submitted", "报送评估/验收申请（书面申请）")
register("applications.application.forwarded", "随书面申请报送上级")

# level → (the leader's role, the state the applications wait in, the state they go to)
LEVELS = {
    Level.BRANCH: (Role.BRANCH_LEADER, Status.BRANCH_BATCH, Status.CITY_REVIEW),
    Level.CITY: (Role.CITY_LEADER, Status.CITY_BATCH, Status.PROVINCE_REVIEW),
}


def level_of(actor) -> str:
    role = getattr(actor, "role", None)
    for level, (leader, _, _) in LEVELS.items():
        if role == leader:
            return level
    raise PermissionDenied("书面申请由分局或市局负责人报送")


def waiting(actor, campaign, kind: str):
    """The applications of the actor's agency waiting for its batch (for the form and the list)."""
    level = level_of(actor)
    state = LEVELS[level][1]
    qs = access.scope(actor, Application.objects.filter(campaign=campaign, kind=kind, status=state))
    apps = list(qs.select_related("enrolment__enterprise__county", "organizer").order_by("enrolment__enterprise__name"))
    branches = branches_for(apps)
    return [a for a in apps if _agency_for(a, level, branches).pk == actor.agency_id]


def _agency_for(application, level, branches):
    agencies = route(application, branches)
    return agencies["branch"] if level == Level.BRANCH else agencies["city"]


def default_title(agency, campaign, kind: str) -> str:
    return f"{agency}关于{campaign.year}年清洁生产审核{Kind(kind).label}的申请"


def default_letter(agency, campaign, kind: str, count: int) -> str:
    label = Kind(kind).label
    basis = f"根据《{campaign.name}》" + (f"（{campaign.document_number}）" if campaign.document_number else "") + "要求，"
    return (f"{basis}我单位辖区内{count}家企业已完成清洁生产审核{'报告' if kind == Kind.EVALUATION else '中/高费方案实施'}，"
            f"向我单位提出了清洁生产审核{label}书面申请。经审核，企业申报资料齐全、情况属实，"
            f"现将{label}申请及申请表一并报上，请予组织{label}。")


@transaction.atomic
def batch_submit(*, actor, campaign, kind: str, applications, title: str = "", letter: str = "") -> Batch:
    """The leader sends the chosen waiting applications up with one letter; all or nothing."""
    level = level_of(actor)
    access.check(actor, "applications.batch.submit")
    if is_system(actor):
        raise PermissionDenied("书面申请须由单位负责人本人报送")
    if kind not in Kind.values:
        raise InvalidState(f"未知的申请类型“{kind}”", code="wrong_kind")
    _, waiting_state, next_state = LEVELS[level]
    ids = sorted({a.pk if hasattr(a, "pk") else int(a) for a in applications})
    if not ids:
        raise InvalidState("请至少选择一家企业的申请", code="empty_batch")
    # Lock in pk order: two leaders batching overlapping sets cannot deadlock.
    locked = list(Application.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
                  .select_related("enrolment__enterprise__county", "enrolment__consulting_agency", "organizer",
                                  "campaign"))
    if len(locked) != len(ids):
        raise InvalidState("所选申请不存在或已被删除，请刷新页面", code="missing")
    recipient = None
    branches = branches_for(locked)
    for application in locked:
        access.check(actor, "applications.batch.submit", application)
        name = application.enrolment.enterprise
        if application.campaign_id != campaign.pk or application.kind != kind:
            raise InvalidState(f"{name}的申请不属于本批次或类型不符", code="mismatch")
        if application.status != waiting_state:
            raise InvalidState(f"{name}的申请当前为“{application.get_status_display()}”，不能报送"
                               "（可能已由他人报送，请刷新页面）", code="wrong_state")
        agencies = route(application, branches)
        own = agencies["branch"] if level == Level.BRANCH else agencies["city"]
        if own.pk != actor.agency_id:
            raise PermissionDenied(f"{name}的申请不由{actor.agency}报送")
        require_not_related(actor, application, "报送该企业的申请")
        recipient = agencies["city"] if level == Level.BRANCH else agencies["province"]
    # Lock the sending agency's row: two leaders of one agency cannot take the same batch number.
    agency = Agency.objects.select_for_update().get(pk=actor.agency_id)
    number = (Batch.objects.filter(agency=agency, campaign=campaign, kind=kind).aggregate(n=Max("number"))["n"]
              or 0) + 1
    title = (title or "").strip() or default_title(agency, campaign, kind)
    letter = (letter or "").strip() or default_letter(agency, campaign, kind, len(locked))
    items = []
    for application in locked:
        version = latest_version(application)
        enterprise = application.enrolment.enterprise
        items.append({"application": application.pk, "enterprise": enterprise.name, "uscc": enterprise.uscc,
                      "county": enterprise.county.name, "management_level": enterprise.get_management_level_display(),
                      "organizer": application.organizer.name if application.organizer else "",
                      "version": version.number, "digest": version.digest})
    content = {"title": title, "agency": agency.name, "recipient": recipient.name, "kind": kind,
               "kind_label": Kind(kind).label,
               "campaign": {"name": campaign.name, "year": campaign.year, "document_number": campaign.document_number},
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
        before = application.status
        application.status = next_state
        setattr(application, field, batch)
        application.save(update_fields=["status", field, "updated_at"])
        log_action(actor=actor, action="applications.application.forwarded", obj=application,
                   changes={"status": [before, next_state]}, data={"batch": batch.pk, "title": title})
    roles = [Role.CITY_STAFF] if level == Level.BRANCH else [Role.PROVINCE_STAFF]
    notify(agency_users(recipient, roles), locked[0], f"{agency}报送了{title}（{len(locked)}家企业）",
           f"batch:{batch.pk}")
    after_commit_checkpoint()
    return batch
