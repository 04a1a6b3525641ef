"""The monthly report's 评估/验收 line: applied (first submission), passed and failed (result date),
as of the report's data date; older frozen versions without it still render."""

import datetime as dt

from django.utils import timezone

from cpaudit.applications.models import Application, ApplicationVersion, Kind, Status
from cpaudit.campaigns.models import Enrolment
from cpaudit.org.roles import Role
from cpaudit.reports import content as C
from cpaudit.reports.models import MonthlyReport, ReportKind
from cpaudit.reports.render_txt import render_txt
from cpaudit.reports.services import build_content


def _app(world, key, kind, status, submitted: dt.date | None, result: dt.date | None = None):
    enrolment = Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises[key])
    app = Application.objects.create(campaign=world.campaign, enrolment=enrolment, kind=kind, status=status,
                                     result_date=result, passed={Status.PASSED: True, Status.FAILED: False}.get(status))
    if submitted:
        ApplicationVersion.objects.create(application=app, number=1, content={}, digest="0" * 64,
                                          submitted_by=world.users[Role.ENTERPRISE],
                                          submitted_at=timezone.make_aware(dt.datetime.combine(submitted, dt.time(10))))
    return app


def test_counts_as_of_the_data_date(world):
    _app(world, "own", Kind.EVALUATION, Status.PASSED, dt.date(2020, 6, 10), dt.date(2020, 7, 5))
    _app(world, "same_county", Kind.EVALUATION, Status.FAILED, dt.date(2020, 6, 20), dt.date(2020, 6, 28))
    _app(world, "own", Kind.ACCEPTANCE, Status.BRANCH_REVIEW, dt.date(2020, 7, 20))
    _app(world, "other_county", Kind.EVALUATION, Status.PASSED, dt.date(2020, 6, 1), dt.date(2020, 6, 2))  # 莲池
    june = C.applications_for(world.campaign, ["130602"], dt.date(2020, 6, 1), dt.date(2020, 8, 1))
    assert june == {"evaluation": {"applied": 2, "passed": 0, "failed": 1},
                    "acceptance": {"applied": 0, "passed": 0, "failed": 0}}
    july = C.applications_for(world.campaign, ["130602"], dt.date(2020, 7, 1), dt.date(2020, 8, 1))
    assert july["evaluation"] == {"applied": 2, "passed": 1, "failed": 1}
    assert july["acceptance"]["applied"] == 1


def test_a_draft_is_not_counted(world):
    _app(world, "own", Kind.EVALUATION, Status.DRAFT, None)
    counts = C.applications_for(world.campaign, ["130602"], dt.date(2020, 7, 1), dt.date(2020, 7, 10))
    assert counts["evaluation"]["applied"] == 0


def test_the_line_is_in_the_report_and_its_text(world):
    _app(world, "own", Kind.EVALUATION, Status.PASSED, dt.date(2020, 6, 10), dt.date(2020, 6, 25))
    report = MonthlyReport(kind=ReportKind.BRANCH, campaign=world.campaign, agency=world.branch_a,
                           month=dt.date(2020, 6, 1), problems="无")
    content = build_content(report, dt.date(2020, 7, 10))
    assert content["applications"]["evaluation"] == {"applied": 1, "passed": 1, "failed": 0}
    line = "评估、验收情况：评估已申请1家，通过1家，未通过0家；验收已申请0家，合格0家，不合格0家。"
    assert line in render_txt(content)
    # a version frozen before the line (schema 1: no applications, no blocks)
    older = {k: v for k, v in content.items() if k not in ("applications", "blocks", "schema")}
    assert "评估、验收情况" not in render_txt(older)
