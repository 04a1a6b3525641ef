"""An enterprise's whole story for its page (read only, within the user's scope): each enrolment's
35-step timeline with its evidence files, options and benefits, the applications with their
documents, monthly reports that name it, spot checks, and the log of what was done to it.

A fixed number of queries whatever the enterprise's history (about ten)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from cpaudit.org import access
from cpaudit.org.roles import GOVERNMENT_ROLES

LOG_LIMIT = 50


@dataclass
class Timeline:
    enrolment: object
    steps: list = field(default_factory=list)  # (Step, record or None, [evidence])
    options: list = field(default_factory=list)


def story(user, enterprise, enrolments) -> dict:
    from cpaudit.progress.models import Evidence, Option, StepRecord
    from cpaudit.progress.steps import all_steps

    enrolments = list(enrolments)
    ids = [e.pk for e in enrolments]
    records = list(access.scope(user, StepRecord.objects.filter(enrolment_id__in=ids)))
    files = defaultdict(list)
    for evidence in access.scope(user, Evidence.objects.filter(record__enrolment_id__in=ids, is_current=True)
                                 ).order_by("record_id", "pk"):
        files[evidence.record_id].append(evidence)
    by_step = {(r.enrolment_id, r.step_id): r for r in records}
    options = defaultdict(list)
    for option in access.scope(user, Option.objects.filter(enrolment_id__in=ids)).order_by("enrolment_id", "pk"):
        options[option.enrolment_id].append(option)
    timelines = []
    for enrolment in enrolments:
        steps = []
        for step in all_steps():
            record = by_step.get((enrolment.pk, step.number))
            steps.append((step, record, files.get(record.pk, []) if record else []))
        timelines.append(Timeline(enrolment, steps, options.get(enrolment.pk, [])))
    applications = _applications(user, ids)
    result = {"timelines": timelines, "applications": applications,
              "reports": _reports(user, enterprise), "spotchecks": _spotchecks(user, enterprise),
              "history": _history(user, enterprise, ids, records, applications)}
    return result


def _applications(user, enrolment_ids) -> list:
    from cpaudit.applications.models import Application, Attachment

    if not access.allowed(user, "applications.application.view"):
        return []
    applications = list(access.scope(user, Application.objects.filter(enrolment_id__in=enrolment_ids))
                        .select_related("campaign").order_by("-pk"))
    files = defaultdict(list)
    for item in access.scope(user, Attachment.objects.filter(application__enrolment_id__in=enrolment_ids,
                                                              is_current=True)).order_by("application_id", "pk"):
        files[item.application_id].append(item)
    for application in applications:
        application.current_files = files.get(application.pk, [])
    return applications


def _reports(user, enterprise) -> list:
    """Submitted monthly report versions whose frozen content names the enterprise (stalled lists,
    problems). JSON is matched as text, in both its stored spellings (plain, or \\u-escaped)."""
    from cpaudit.reports.models import ReportVersion

    if getattr(user, "role", None) not in GOVERNMENT_ROLES or not access.allowed(user, "reports.report.view"):
        return []
    escaped = json.dumps(enterprise.name)[1:-1]
    text = Cast("content", TextField())
    return list(access.scope(user, ReportVersion.objects.annotate(text=text).filter(
        Q(text__contains=enterprise.name) | Q(text__contains=escaped)))
        .select_related("report__agency", "report__campaign").order_by("-submitted_at")[:20])


def _spotchecks(user, enterprise) -> list:
    from cpaudit.spotchecks.models import Item

    if not access.allowed(user, "spotchecks.plan.view"):
        return []
    return list(access.scope(user, Item.objects.filter(enterprise=enterprise)).select_related("plan")
                .order_by("-pk"))


def _history(user, enterprise, enrolment_ids, records, applications) -> list:
    """The log entries about the enterprise, its enrolments, step records and applications, in Chinese
    (government roles: the enterprise's own people see their page without the officials' log)."""
    from cpaudit.core import logdisplay
    from cpaudit.core.models import ActionLog

    if getattr(user, "role", None) not in GOVERNMENT_ROLES:
        return []
    q = Q(object_type="registry.enterprise", object_id=str(enterprise.pk))
    q |= Q(object_type="campaigns.enrolment", object_id__in=[str(i) for i in enrolment_ids])
    q |= Q(object_type="progress.steprecord", object_id__in=[str(r.pk) for r in records])
    q |= Q(object_type="applications.application", object_id__in=[str(a.pk) for a in applications])
    entries = ActionLog.objects.filter(q).order_by("-seq")[:LOG_LIMIT]
    return [{"time": e.time, "text": logdisplay.describe(e)} for e in entries]
