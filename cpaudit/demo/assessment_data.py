"""Demo of assessment and accountability (issue 13), through the services: last month's scorecards of
保定's branches, one circular drafted from them, edited, approved and issued (sealed Word/PDF, marked for
the public), one summons of the lowest-ranked branch held with its commitments (one done), and one
extension of an enterprise's 评估 date approved by its branch and city.

Idempotent: nothing is written when the campaign already has a circular.
"""

from __future__ import annotations

import datetime as dt

from cpaudit.applications.models import Application, Kind, Status
from cpaudit.assessment import scorecards, services
from cpaudit.assessment.models import Circular
from cpaudit.campaigns.models import Enrolment
from cpaudit.org.models import Agency
from cpaudit.org.roles import BRANCH_AGENCY_KINDS, AgencyKind, Role
from cpaudit.reports.standings import month_start

from .applications_data import Cast

NUMBER = "保环办函〔{year}〕{n}号"
REQUIREMENTS = ("各分局要对照通报的问题逐项整改，督促进度滞后企业按时间节点完成审核任务。\n"
                "排名末位的分局由市局约谈其主要负责人，限期整改。")


def _city_of(branch: Agency) -> Agency:
    return branch if branch.kind == AgencyKind.DIRECT_COUNTY else branch.supervisor


def load_assessment(campaign, today: dt.date) -> int:
    """Returns the number of records created (circular, summons, extension)."""
    if Circular.objects.filter(campaign=campaign).exists():
        return 0
    city = Agency.objects.filter(kind=AgencyKind.CITY, name__startswith="保定").order_by("pk").first()
    if city is None:
        return 0
    from cpaudit.core.actors import SystemActor

    cast = Cast(SystemActor("load-demo"))
    staff, leader = cast.agency_user(city, Role.CITY_STAFF), cast.agency_user(city, Role.CITY_LEADER)
    month = month_start(month_start(today) - dt.timedelta(days=1))
    created = 0
    circular = services.circular_draft(actor=staff, campaign=campaign, month=month)
    services.circular_save(actor=staff, circular=circular, data={
        "number": NUMBER.format(year=month.year, n=80 + month.month), "requirements": REQUIREMENTS,
        "for_public": True})
    services.circular_submit(actor=staff, circular=circular)
    circular = services.circular_issue(actor=leader, circular=circular)
    created += 1
    cards = scorecards.scorecards(staff, campaign, month, today)
    lowest = min(cards.branches, key=lambda c: (c.score, c.code), default=None)
    if lowest is not None:
        summons = services.summons_decide(
            actor=leader, campaign=campaign, summoned=lowest.agency, attendees="分局一把手、分管局长、股长",
            scheduled_for=today - dt.timedelta(days=2), place="市局第三会议室", circular=circular,
            reason=f"{month:%Y年%m月}考核得分{lowest.score}分，排名末位，{lowest.behind}家企业未按时间节点推进")
        first, second = today + dt.timedelta(days=10), today + dt.timedelta(days=25)
        services.summons_record(actor=staff, summons=summons, held_on=today - dt.timedelta(days=2),
                                record="分局主要负责人说明了进度滞后的原因，承诺限期整改。",
                                commitments=[(f"督促{max(lowest.behind, 1)}家滞后企业完成当前阶段并补齐佐证材料", second),
                                             ("按时报送本月月报并附问题清单", first)])
        done = summons.commitments.order_by("deadline").first()
        services.commitment_done(actor=staff, commitment=done, outcome="已报送本月月报（附问题清单）")
        created += 1
    created += _extension(cast, campaign)
    return created


def _extension(cast: Cast, campaign) -> int:
    """An enterprise of a 保定 county without a passed 评估 asks one month more; both levels agree."""
    passed = Application.objects.filter(campaign=campaign, kind=Kind.EVALUATION, status=Status.PASSED)
    enrolment = (Enrolment.objects.filter(campaign=campaign, enterprise__county__parent__name="保定市")
                 .exclude(pk__in=passed.values("enrolment_id")).select_related("enterprise").order_by("pk").first())
    if enrolment is None:
        return 0
    branch = Agency.objects.filter(division_id=enrolment.enterprise.county_id, kind__in=BRANCH_AGENCY_KINDS).first()
    if branch is None:
        return 0
    extension = services.extension_request(
        actor=cast.enterprise_user(enrolment.enterprise), enrolment=enrolment, target="evaluation",
        requested_date=campaign.evaluation_deadline + dt.timedelta(days=30),
        reason="主要生产线停产检修（附停产报告），第5阶段可行性分析须待复产后补测数据，申请评估期限延后30天。")
    services.extension_branch_decide(actor=cast.agency_user(branch, Role.BRANCH_LEADER), extension=extension,
                                     agree=True, opinion="经核实停产检修属实，同意上报。")
    services.extension_city_decide(actor=cast.agency_user(_city_of(branch), Role.CITY_LEADER), extension=extension,
                                   approve=True, opinion="同意评估期限延后30天。")
    return 1
