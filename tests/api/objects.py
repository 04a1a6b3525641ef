"""Objects of the standard world for the API tests: for each relation of the authorization matrix
(own / same_county / other_county / other_city) the enterprise's step record with a file, an option,
an application in a given state; the monthly report and the batch of that enterprise's branch.
Builders put an object back in the state a test needs, so a test may call them again."""

import datetime as dt

from django.utils import timezone

from cpaudit.applications.models import Application, Kind, Status
from cpaudit.campaigns.models import Enrolment
from cpaudit.core.chain import document_digest
from cpaudit.org.roles import Role
from cpaudit.progress.models import Option, OptionCategory, ReviewStatus, StepRecord, StepStatus
from cpaudit.reports.models import MonthlyReport, ReportKind, ReportStatus, ReportVersion
from tests.applications.viewfixtures import make_application, make_batch
from tests.factories import attach_evidence

RELATIONS = ["own", "same_county", "other_county", "other_city"]
MAY = dt.date(2020, 5, 1)


def branch_of(world, rel):
    return {"own": world.branch_a, "same_county": world.branch_a, "other_county": world.branch_b,
            "other_city": world.branch_sjz}[rel]


def enrolment(world, rel) -> Enrolment:
    return Enrolment.objects.select_related("enterprise").get(campaign=world.campaign,
                                                              enterprise=world.enterprises[rel])


def step_record(world, rel, number: int = 3, review=ReviewStatus.PENDING) -> StepRecord:
    """Step `number` completed and awaiting the branch (or in `review`), with a current file."""
    record, _ = StepRecord.objects.update_or_create(
        enrolment=enrolment(world, rel), step_id=number,
        defaults={"status": StepStatus.COMPLETED, "start_date": dt.date(2020, 3, 2),
                  "completion_date": dt.date(2020, 3, 20), "review": review,
                  "recorded_at": timezone.now()})
    if not record.evidence.exists():
        attach_evidence(record)
    return record


def option(world, rel) -> Option:
    return Option.objects.create(enrolment=enrolment(world, rel), name=f"{rel}节水改造",
                                 category=OptionCategory.LOW, investment=5)


def report(world, rel, status=ReportStatus.DRAFT, problems="") -> MonthlyReport:
    """The branch's May 2020 report in `status`; a submitted one has a version 1."""
    report, _ = MonthlyReport.objects.update_or_create(
        kind=ReportKind.BRANCH, campaign=world.campaign, agency=branch_of(world, rel), month=MAY,
        defaults={"status": status, "problems": problems, "prepared_by": world.users[Role.BRANCH_STAFF]
                  if rel in ("own", "same_county") else None})
    if status != ReportStatus.DRAFT and not report.versions.exists():
        content = {"title": f"{report}"}
        ReportVersion.objects.create(report=report, number=1, content=content, digest=document_digest(content),
                                     submitted_by=world.users[Role.BRANCH_LEADER], submitted_at=timezone.now())
    return report


def application(world, rel, status=Status.BRANCH_REVIEW, kind=Kind.EVALUATION) -> Application:
    """The enterprise's open application of `kind`, put in `status` (made when there is none)."""
    found = (Application.objects.filter(enrolment=enrolment(world, rel), kind=kind)
             .exclude(status=Status.FAILED).first())
    if found is None:
        return make_application(world, rel, status, kind)
    Application.objects.filter(pk=found.pk).update(status=status, branch_batch=None, city_batch=None)
    found.refresh_from_db()
    return found


def batch(world, rel):
    branch = branch_of(world, rel)
    return make_batch(world, branch, branch.supervisor)


def populate(world) -> dict:
    """Every kind of object for every relation; (kind, rel) → id."""
    ids = {}
    for rel in RELATIONS:
        ids["enterprise", rel] = world.enterprises[rel].pk
        ids["enrolment", rel] = enrolment(world, rel).pk
        ids["step", rel] = step_record(world, rel).pk
        ids["option", rel] = option(world, rel).pk
        ids["application", rel] = application(world, rel).pk
        ids["report", rel] = report(world, rel).pk
        ids["batch", rel] = ids["batch", "own"] if rel == "same_county" else batch(world, rel).pk
    return ids


def populate_one(world, kind: str, rel: str) -> int:
    """The id of one object of `kind` for `rel` (made or reset as populate does)."""
    return {"enterprise": lambda: world.enterprises[rel].pk, "enrolment": lambda: enrolment(world, rel).pk,
            "step": lambda: step_record(world, rel).pk, "option": lambda: option(world, rel).pk,
            "application": lambda: application(world, rel).pk, "report": lambda: report(world, rel).pk,
            "batch": lambda: batch(world, rel).pk}[kind]()
