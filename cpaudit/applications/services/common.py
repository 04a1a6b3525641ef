"""What every step of the application chain shares: locking, routing (which agency acts next), the
separation-of-duties and recusal guards, decisions as rows, notifications.

Routing (authority.md § The application chain): the branch is the county agency of the enterprise's
county; the city level is the branch's supervisor (a 省直管县 is its own city level); the province is
the city level's supervisor. The organizer follows the management level: 省管 → province, 市管 → city
level, 其他 → branch.
"""

from __future__ import annotations

from django.urls import reverse

from cpaudit.core import clock
from cpaudit.core.actors import is_system
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.org.models import Agency, User
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, AgencyKind, Role
from cpaudit.registry.models import ManagementLevel

from .. import transitions
from ..models import RESULT_LABELS, Application, ApplicationVersion, Decision, Level, Status
from ..transitions import Route


def lock(application) -> Application:
    """Re-read the application under a row lock: the state checked next is the state acted on."""
    return (Application.objects.select_for_update(of=("self",))
            .select_related("enrolment", "enrolment__enterprise", "enrolment__consulting_agency", "campaign",
                            "organizer", "evaluation")
            .get(pk=application.pk))


def require_state(application, *states, what: str) -> None:
    if application.status not in states:
        if application.status in (Status.PASSED, Status.FAILED):
            raise InvalidState(f"该申请已有结论（{application.status_label}），不能{what}", code="already_decided")
        raise InvalidState(f"该申请当前为“{application.get_status_display()}”，不能{what}"
                           f"（可能已由他人处理，请刷新页面）", code="wrong_state")


# --- routing ---------------------------------------------------------------------------------------

def branch_of(application) -> Agency:
    county = application.enrolment.enterprise.county_id
    branch = (Agency.objects.select_related("supervisor", "supervisor__supervisor")
              .filter(division_id=county, kind__in=BRANCH_AGENCY_KINDS).first())
    if branch is None:
        raise InvalidState(f"企业所在县（市、区）（{county}）没有登记生态环境分局，申请无法报送", code="no_branch")
    return branch


def city_of(branch: Agency) -> Agency:
    if branch.kind == AgencyKind.DIRECT_COUNTY:
        return branch
    if branch.supervisor is None:
        raise InvalidState(f"{branch}没有配置上级单位，申请无法报送市局", code="no_city")
    return branch.supervisor


def province_of(city: Agency) -> Agency:
    if city.supervisor is None or city.supervisor.kind != AgencyKind.PROVINCE:
        raise InvalidState(f"{city}没有配置上级省生态环境厅，申请无法报送省厅", code="no_province")
    return city.supervisor


def paper_config(agency_ids=None) -> dict[int, frozenset | None]:
    """Agency id → the campaigns it records on paper (None: every campaign). One query."""
    from ..models import PaperAgency

    qs = PaperAgency.objects.all()
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=[pk for pk in agency_ids if pk])
    config: dict[int, set | None] = {}
    for agency_id, campaign_id in qs.values_list("agency_id", "campaign_id"):
        if campaign_id is None:
            config[agency_id] = None
        elif config.get(agency_id, set()) is not None:
            config.setdefault(agency_id, set()).add(campaign_id)
    return {k: (None if v is None else frozenset(v)) for k, v in config.items()}


def on_paper(config: dict, agency, campaign_id) -> bool:
    if agency is None or agency.pk not in config:
        return False
    campaigns = config[agency.pk]
    return campaigns is None or campaign_id in campaigns


def chain_route(application, agencies: dict[str, Agency] | None = None, config: dict | None = None) -> Route:
    """The parties of the application's chain (transitions.Route): agencies, organizer, paper levels.
    `agencies` and `config` (from `route` and `paper_config`) spare the queries for many applications."""
    agencies = agencies or route(application)
    if config is None:
        config = paper_config([agencies["city"].pk, agencies["province"].pk])
    direct = agencies["branch"].kind == AgencyKind.DIRECT_COUNTY
    paper = {level for level in (Level.CITY, Level.PROVINCE)
             if not (level == Level.CITY and direct) and on_paper(config, agencies[level], application.campaign_id)}
    if application.organizer_id:
        level, organizer = application.organizer_level, application.organizer
    else:
        level, organizer = organizer_for(application, agencies)
    enterprise = application.enrolment.enterprise
    return Route(agencies=agencies, organizer_level=level, organizer=organizer, paper=frozenset(paper),
                 direct=direct, enterprise_id=enterprise.pk, enterprise_name=enterprise.name)


def route(application, branches: dict[str, Agency] | None = None) -> dict[str, Agency]:
    """The agencies on the application's route; `branches` (county → branch, from `branches_for`)
    spares the query when routing many applications."""
    county = application.enrolment.enterprise.county_id
    branch = branches.get(county) if branches is not None else None
    branch = branch or branch_of(application)
    city = city_of(branch)
    return {"branch": branch, "city": city, "province": province_of(city)}


def branches_for(applications) -> dict[str, Agency]:
    """County code → branch agency (with its supervisors) for these applications, in one query."""
    counties = {a.enrolment.enterprise.county_id for a in applications}
    return {b.division_id: b for b in Agency.objects.select_related("supervisor", "supervisor__supervisor")
            .filter(division_id__in=counties, kind__in=BRANCH_AGENCY_KINDS)}


def organizer_for(application, agencies: dict[str, Agency] | None = None) -> tuple[str, Agency]:
    agencies = agencies or route(application)
    level = application.enrolment.enterprise.management_level
    if level == ManagementLevel.PROVINCIAL:
        return Level.PROVINCE, agencies["province"]
    if level == ManagementLevel.MUNICIPAL:
        return Level.CITY, agencies["city"]
    return Level.BRANCH, agencies["branch"]


def require_agency(actor, agency: Agency, what: str) -> None:
    if is_system(actor):
        raise PermissionDenied(f"{what}须由{agency}的工作人员本人办理")
    if getattr(actor, "agency_id", None) != agency.pk:
        raise PermissionDenied(f"只有{agency}的人员可以{what}")


def require_not_related(actor, application, what: str) -> None:
    """Recusal: nobody acts on an enterprise (or its consulting agency) they declared a tie with."""
    from cpaudit.integrity.conflicts import user_conflict

    enrolment = application.enrolment
    reason = user_conflict(actor, enrolment.enterprise_id, enrolment.consulting_agency_id)
    if reason:
        raise PermissionDenied(f"您已申报与该企业存在利益关系（{reason}），须回避，不能{what}")


def require_other_person(actor, earlier: Decision | None, what: str) -> None:
    """Separation of duties: who wrote the opinion does not approve it."""
    if earlier is not None and earlier.actor_id == actor.pk:
        raise PermissionDenied(f"填写意见的经办人不能同时{what}（职责分离）")


# --- versions and decisions ------------------------------------------------------------------------

def latest_version(application) -> ApplicationVersion | None:
    return application.versions.order_by("-number").first()


def last_decision(application, step, version=None) -> Decision | None:
    qs = application.decisions.filter(step=step)
    if version is not None:
        qs = qs.filter(version=version)
    return qs.order_by("-decided_at", "-pk").first()


def decide(application, *, actor, step, outcome, opinion="", checks=None, signer="", agency=None, basis=None,
           **paper) -> Decision:
    """A Decision bound to the latest submitted version. For a paper reply (`paper`: transcribed,
    source_date, source_number, scan) `signer` and `agency` are the replying level's, not the recorder's."""
    version = latest_version(application)
    if version is None:
        raise InvalidState("该申请尚未提交，没有可审核的申请表", code="not_submitted")
    return Decision.objects.create(
        application=application, version=version, step=step, outcome=outcome, opinion=opinion,
        checks=checks or {}, actor=actor, actor_name=signer or actor.full_name or actor.username,
        agency=agency or actor.agency, decided_at=clock.business_now(), basis=basis or {}, **paper,
    )


# --- notifications ---------------------------------------------------------------------------------

def link(application) -> str:
    return reverse("applications:detail", args=[application.pk])


def notify(users, application, text: str, key: str) -> None:
    """An in-app message to each user, once per key (the reports app owns the Notification model)."""
    from cpaudit.reports.models import Notification

    text = text[:300]
    for user in users:
        Notification.objects.get_or_create(user=user, key=f"{key}:{user.pk}"[:120],
                                           defaults={"text": text, "link": link(application),
                                                     "subject": f"applications.application:{application.pk}"})


def agency_users(agency: Agency, roles) -> list[User]:
    return list(User.objects.filter(agency=agency, role__in=sorted(roles), is_active=True))


def enterprise_users(application) -> list[User]:
    return list(User.objects.filter(enterprise_id=application.enrolment.enterprise_id, is_active=True))


def announce(application, row, route, decision=None) -> None:
    """Tell who must act after `row` (the owner of the state it entered) and, where the row says so,
    the enterprise (a return with its reason, a result). For a 省管 review the city is asked to assist."""
    kind = application.get_kind_display()
    name = route.enterprise_name
    key = f"app:{application.pk}:{row.target}:{decision.pk if decision else row.action}"
    if "enterprise" in row.notify:
        if row.target == Status.RETURNED:
            who = decision.agency if decision else ""
            text = f"您的{kind}申请被{who}退回：{decision.opinion if decision else application.return_reason}"
        else:
            text = f"您的清洁生产审核{kind}结论：{RESULT_LABELS[application.kind][row.target == Status.PASSED]}"
        notify(enterprise_users(application), application, text, key)
    if "owner" in row.notify:
        turn = transitions.owner(row.target, route)
        if turn is not None and turn.role == Role.ENTERPRISE:
            notify(enterprise_users(application), application, f"您的{kind}申请：{application.get_status_display()}", key)
        elif turn is not None and turn.agency is not None:
            what = row.label if row.system else transitions.next_label(row.target, route)
            notify(agency_users(turn.agency, [turn.role]), application, f"{name}的{kind}申请：{what}", key)
    if row.target == Status.ORGANIZING and route.organizer_level == Level.PROVINCE:
        from .assistance import expect_assistance

        expect_assistance(application, route)


def after_commit_checkpoint() -> None:
    """A frozen form is an issued document: vouch for the log once the entry is committed (a failure to
    write the checkpoint is recorded and retried, never an error page after the commit)."""
    from cpaudit.core.aftercommit import checkpoint_after_commit

    checkpoint_after_commit(reason="document")
