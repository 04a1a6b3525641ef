"""The expert's score page shows what the expert judges beside the form: the files frozen with the
submitted version (downloadable by the expert), the deliverable steps' current files (downloadable:
only those, only of the applications it scores) and the consistency flags on the enterprise's figures."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cpaudit.applications.models import ApplicationVersion, Attachment
from cpaudit.campaigns.models import Enrolment
from cpaudit.org.roles import Role
from cpaudit.progress.models import Figures, Option, OptionCategory, OptionStatus, StepRecord, StepStatus

from ..factories import EVIDENCE_PDF, attach_evidence, complete_audit
from .helpers import make_expert, organizing, put_on_panel

pytestmark = pytest.mark.django_db


def _submitted(application, world):
    """Version 1 with the enterprise's letter and report attached (the same bytes as step 27's file)."""
    report = StepRecord.objects.get(enrolment=application.enrolment, step_id=27).evidence.get()
    rows = [Attachment.objects.create(application=application, purpose=purpose, digest=digest, original_name=name,
                                      file_kind="pdf", content_type="application/pdf", size=size,
                                      uploaded_by=world.users[Role.ENTERPRISE], uploaded_at=timezone.now())
            for purpose, digest, name, size in (
                ("letter", report.digest, "书面评估申请.pdf", report.size),
                ("report", report.digest, "审核报告（送评估稿）.pdf", report.size))]
    ApplicationVersion.objects.create(
        application=application, number=1, digest="0" * 64, submitted_by=world.users[Role.ENTERPRISE],
        submitted_at=timezone.now(), content={"fields": [], "attachments": [
            {"id": r.pk, "purpose": r.purpose, "label": label, "name": r.original_name, "digest": r.digest,
             "size": r.size} for r, label in zip(rows, ("企业书面评估申请", "清洁生产审核报告（送评估稿）"), strict=True)]})
    return rows


@pytest.fixture
def scoring(world):
    """The world's expert on the panel of the own enterprise's 评估, audit complete through step 27 with
    its deliverables' files, a submitted version, and a benefit claimed for an option not implemented."""
    application = organizing(world, "own")
    complete_audit(application.enrolment, 27)
    rows = _submitted(application, world)
    Option.objects.create(enrolment=application.enrolment, name="浆料回收", category=OptionCategory.LOW,
                          status=OptionStatus.IMPLEMENTING, achieved_water_t=500)
    expert = make_expert(environment=True, user=world.users[Role.EXPERT])
    panel = put_on_panel(application, [expert], world.users[Role.BRANCH_STAFF])
    return application, panel.members.get(), rows


def test_score_page_shows_the_frozen_files_the_deliverables_and_the_flags(world, client, scoring):
    application, member, rows = scoring
    client.force_login(world.users[Role.EXPERT])
    response = client.get(reverse("experts:score", args=[member.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for row in rows:
        assert reverse("applications:attachment_download", args=[row.pk]) in html
    assert "以上为企业第1版申请" in html
    deliverables = response.context["deliverables"]
    assert [e.record.step_id for e in deliverables] == [22, 27]
    assert [e.attached for e in deliverables] == [True, True]  # the same test bytes as the attachments
    assert reverse("progress:evidence_download", args=[deliverables[1].pk]) in html
    assert "方案「浆料回收」状态为“实施中”，却填报了实际效益：节水500 吨/年" in html


def test_score_page_without_flags_says_so(world, client, scoring):
    application, member, _ = scoring
    Option.objects.filter(enrolment=application.enrolment).update(achieved_water_t=None)
    client.force_login(world.users[Role.EXPERT])
    html = client.get(reverse("experts:score", args=[member.pk])).content.decode()
    assert "之间未发现不一致" in html


def test_the_expert_downloads_the_files_it_scores_and_nothing_else(world, client, scoring):
    application, member, rows = scoring
    client.force_login(world.users[Role.EXPERT])
    assert client.get(reverse("applications:attachment_download", args=[rows[1].pk])).status_code == 200
    deliverable = StepRecord.objects.get(enrolment=application.enrolment, step_id=22).evidence.get()
    response = client.get(reverse("progress:evidence_download", args=[deliverable.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == EVIDENCE_PDF
    step5 = attach_evidence(StepRecord.objects.get(enrolment=application.enrolment, step_id=5))
    assert client.get(reverse("progress:evidence_download", args=[step5.pk])).status_code == 404
    other = Enrolment.objects.get(campaign=world.campaign, enterprise=world.enterprises["same_county"])
    elsewhere = attach_evidence(StepRecord.objects.create(enrolment=other, step_id=22, status=StepStatus.COMPLETED,
                                                          start_date=dt.date(2020, 3, 1),
                                                          completion_date=dt.date(2020, 4, 1)))
    assert client.get(reverse("progress:evidence_download", args=[elsewhere.pk])).status_code == 404
    member.panel.is_current = False  # a redrawn panel: the expert no longer scores the application
    member.panel.save(update_fields=["is_current"])
    assert client.get(reverse("progress:evidence_download", args=[deliverable.pk])).status_code == 404


def test_score_page_queries_do_not_grow_with_the_flags(world, client, scoring):
    application, member, _ = scoring
    client.force_login(world.users[Role.EXPERT])
    url = reverse("experts:score", args=[member.pk])
    Figures.objects.create(enrolment=application.enrolment, kind=Figures.Kind.BASELINE, year=2019, water_use_t=10)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(10):
        Option.objects.create(enrolment=application.enrolment, name=f"方案{i}", category=OptionCategory.LOW,
                              status=OptionStatus.IMPLEMENTED, actual_date=dt.date(2020, 5, 1), achieved_water_t=5)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert "已实施方案申报的实际节水合计50 吨/年（10项方案），大于审核基准年（2019年）新鲜水用量10 吨" in html
    assert len(many) == len(few)


def test_score_page_shows_a_running_total_of_the_points_entered(world, client, scoring):
    """The 合计 beside the button: — before anything is entered, the sum of the posted points when the
    page comes back with an error, and the total against the pass mark; kept current while typing by
    a script file of our own origin (no inline script: the CSP stays strict)."""
    application, member, _ = scoring
    sheet = member.panel.sheet
    scored = [i for i in sheet.items.order_by("order") if not i.is_veto]
    client.force_login(world.users[Role.EXPERT])
    url = reverse("experts:score", args=[member.pk])
    html = client.get(url).content.decode()
    assert '<output id="score-total" data-pass="' in html and ">—</output>" in html
    assert 'src="/static/cpaudit/score-total.js"' in html and "<script>" not in html
    # Every item but one at full marks, the last one bad: the form fails, the total counts the rest.
    posted = {f"item_{i.pk}": str(i.max_points) for i in scored[:-1]}
    posted[f"item_{scored[-1].pk}"] = "abc"
    html = client.post(url, posted).content.decode()
    expected = sum(i.max_points for i in scored[:-1])
    assert f'>{expected}</output>' in html
    assert ("已达合格分数线" if expected >= sheet.pass_mark else "未达合格分数线") in html
    assert f"满分 {sum(i.max_points for i in scored)} 分" in html
