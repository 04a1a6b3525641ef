"""The city's part in a review it does not organize (seed § 二). For a 省管 enterprise the province
organizes and "市局协助实施": when the review starts the city is asked, and its staff record who took
part and what they did. For a review a branch organizes "必要时市局根据工作需要可给予协调": the
branch's staff may request it, and the city's staff record what they did.

Log codes: applications.assistance.requested, .recorded (the 省管 request is part of the transition that starts the review).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.errors import InvalidState, PermissionDenied
from cpaudit.core.log import log_action
from cpaudit.core.logdisplay import register
from cpaudit.org import access
from cpaudit.org.roles import Role

from ..models import Assistance, Level, Status
from .common import agency_users, chain_route, lock, notify, require_not_related

register("applications.assistance.requested", "请求市局协调评估/验收")
register("applications.assistance.recorded", "记录市局协助/协调工作")

OPEN_STATES = (Status.ORGANIZING, Status.RESULT_PENDING)


def expect_assistance(application, route) -> Assistance | None:
    """A 省管 review has started: the city (when it works in the platform) is asked to record its part.
    Runs inside the transition that reached 组织评估/验收中; once per application."""
    city = route.agencies.get(Level.CITY)
    if city is None or Level.CITY in route.paper or route.direct:
        return None
    item, created = Assistance.objects.get_or_create(
        application=application, kind=Assistance.Kind.ASSIST,
        defaults={"state": Assistance.State.REQUESTED, "agency": city, "requested_at": clock.server_now(),
                  "request": "省管企业由省生态环境厅组织评估/验收，请市局协助实施"})
    if created:
        notify(agency_users(city, [Role.CITY_STAFF]), application,
               f"{route.enterprise_name}为省管企业，其{application.get_kind_display()}由省厅组织，请市局协助实施并记录",
               f"app:{application.pk}:assist")
    return item


@transaction.atomic
def assistance_request(*, actor, application, request: str) -> Assistance:
    """The organizing branch's staff ask the city to coordinate (必要时…给予协调)."""
    application = lock(application)
    access.check(actor, "applications.assistance.request", application)
    route = chain_route(application)
    if application.status not in OPEN_STATES:
        raise InvalidState("只有组织评估/验收中的申请可以请求市局协调", code="wrong_state")
    if route.organizer_level != Level.BRANCH or actor.agency_id != getattr(route.organizer, "pk", None):
        raise PermissionDenied("只有组织评估/验收的分局经办人员可以请求市局协调")
    if route.direct:
        raise InvalidState("省直管县自身即为市级，无需请求协调", code="direct_county")
    require_not_related(actor, application, "请求市局协调")
    request = (request or "").strip()
    if not request:
        raise ValidationError({"request": "请说明需要市局协调的事项"})
    if application.assistance.filter(kind=Assistance.Kind.COORDINATION, state=Assistance.State.REQUESTED).exists():
        raise InvalidState("已请求市局协调，尚待市局记录", code="already_requested")
    city = route.agencies[Level.CITY]
    item = Assistance.objects.create(application=application, kind=Assistance.Kind.COORDINATION,
                                     state=Assistance.State.REQUESTED, agency=city, request=request,
                                     requested_by=actor, requested_at=clock.server_now())
    log_action(actor=actor, action="applications.assistance.requested", obj=application,
               data={"assistance": item.pk, "agency": city.name, "request": request})
    notify(agency_users(city, [Role.CITY_STAFF]), application,
           f"{actor.agency}请求协调{route.enterprise_name}的{application.get_kind_display()}：{request}",
           f"app:{application.pk}:coordination:{item.pk}")
    return item


@transaction.atomic
def assistance_record(*, actor, assistance, participants: str, work: str, work_date: dt.date | None) -> Assistance:
    """The city's staff record who took part and what they did (once; the record is the city's account)."""
    item = Assistance.objects.select_for_update().select_related("application").get(pk=assistance.pk)
    access.check(actor, "applications.assistance.record", item)
    if actor.agency_id != item.agency_id:
        raise PermissionDenied(f"只有{item.agency}的经办人员可以记录")
    if item.state != Assistance.State.REQUESTED:
        raise InvalidState("该协助/协调已记录", code="already_recorded")
    require_not_related(actor, item.application, "记录协助/协调工作")
    participants, work = (participants or "").strip(), (work or "").strip()
    errors = {}
    if not participants:
        errors["participants"] = "请填写参与的市局人员"
    if not work:
        errors["work"] = "请填写开展的工作"
    if work_date is None:
        errors["work_date"] = "请填写日期"
    elif work_date > clock.today():
        errors["work_date"] = "日期不能晚于今天"
    if errors:
        raise ValidationError(errors)
    item.participants, item.work, item.work_date = participants, work, work_date
    item.state, item.recorded_by, item.recorded_at = Assistance.State.RECORDED, actor, clock.server_now()
    item.save(update_fields=["participants", "work", "work_date", "state", "recorded_by", "recorded_at"])
    log_action(actor=actor, action="applications.assistance.recorded", obj=item.application,
               changes={"state": [Assistance.State.REQUESTED, Assistance.State.RECORDED]},
               data={"assistance": item.pk, "kind": item.kind, "participants": participants, "work": work,
                     "work_date": work_date})
    return item
