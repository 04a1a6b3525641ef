"""Crafted data for the scorecard tests: a month (September 2020, seen from the end of the year) in which
each figure has a known value."""

import datetime as dt

from django.utils import timezone

from cpaudit.applications.models import Application, Kind, Status
from cpaudit.campaigns.models import Enrolment
from cpaudit.progress.models import StepRecord
from cpaudit.reports.models import MonthlyReport, ReportKind, ReportStatus, ReportVersion
from tests.factories import complete_audit

MONTH = dt.date(2020, 9, 1)
TODAY = "2020-12-31"


def enrolment(world, rel):
    return Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises[rel])


def application(world, rel, kind=Kind.EVALUATION, status=Status.PASSED, result_date=None):
    return Application.objects.create(
        campaign=world.campaign, enrolment=enrolment(world, rel), kind=kind, status=status, form_data={},
        submitted_at=timezone.make_aware(dt.datetime(2020, 7, 20, 10)),
        passed=True if status == Status.PASSED else (False if status == Status.FAILED else None),
        result_date=result_date)


def aware(day: str):
    return timezone.make_aware(dt.datetime.fromisoformat(day))


def craft(world):
    """竞秀区 (branch_a): `own` on schedule, 评估 passed 08-15 (in time); `same_county` stalled since May with
    3 of stage 1's 4 steps, its 评估 application still at the branch (late); report on time.
    莲池区 (branch_b): `other_county` on schedule, 评估 passed 08-25 (late); no report (missing)."""
    complete_audit(enrolment(world, "own"), through=27)
    application(world, "own", result_date=dt.date(2020, 8, 15))
    stalled = enrolment(world, "same_county")
    complete_audit(stalled, through=3)
    StepRecord.objects.filter(enrolment=stalled).update(recorded_at=aware("2020-05-01 10:00"),
                                                        reviewed_at=aware("2020-05-02 10:00"))
    Enrolment.objects.filter(pk=stalled.pk).update(created_at=aware("2020-03-01 10:00"))
    application(world, "same_county", status=Status.BRANCH_REVIEW)
    complete_audit(enrolment(world, "other_county"), through=27)
    application(world, "other_county", result_date=dt.date(2020, 8, 25))
    report = MonthlyReport.objects.create(kind=ReportKind.BRANCH, campaign=world.campaign, agency=world.branch_a,
                                          month=MONTH, status=ReportStatus.SUBMITTED)
    ReportVersion.objects.create(report=report, number=1, content={}, digest="0" * 64,
                                 submitted_by=world.users["branch_leader"], submitted_at=aware("2020-09-28 10:00"))
