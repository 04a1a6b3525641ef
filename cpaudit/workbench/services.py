"""The workbench's one business action: 催报, a reminder a city or the province sends to a branch whose
monthly report is past due (the worker's daily reminders go out by themselves; this is the person's own
nudge, logged, once per branch, month and day)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from cpaudit.core import clock
from cpaudit.core.errors import InvalidState
from cpaudit.core.log import log_action
from cpaudit.org import access
from cpaudit.org.models import User
from cpaudit.org.roles import BRANCH_ROLES

from .notify import tell


@transaction.atomic
def branch_remind(*, actor, campaign, month: dt.date, branch) -> int:
    """Tell the branch's staff and leaders that its report of `month` is late. Refused unless the branch
    is one of the actor's late branches (selectors.late_branches). Returns the people notified."""
    from cpaudit.reports.deadlines import report_link

    from .selectors import late_branches

    access.check(actor, "workbench.reminder.send")
    late = next((row for row in late_branches(actor) if row.campaign.pk == campaign.pk
                 and row.month == month and row.branch.pk == branch.pk), None)
    if late is None:
        raise InvalidState("该分局的这份月报未逾期或已报送，无需催报（可能已由他人处理，请刷新页面）", code="not_late")
    today = clock.today()
    sender = actor.agency
    text = (f"【催报】{sender}提醒：{campaign.name}{month.year}年{month.month}月进度报告已于"
            f"{late.due.month}月{late.due.day}日到期，请尽快报送")
    users = User.objects.filter(agency=branch, role__in=sorted(BRANCH_ROLES), is_active=True).order_by("pk")
    notified = tell(users, text, link=report_link(campaign, month, branch),
                    key=f"urge:{campaign.pk}:{month:%Y-%m}:{branch.pk}:{today:%Y%m%d}")
    if not notified:
        raise InvalidState("今天已向该分局催报过", code="already_reminded")
    log_action(actor=actor, action="workbench.reminder.sent", obj=branch,
               data={"campaign": campaign.slug, "month": f"{month:%Y-%m}", "notified": notified})
    return notified
