"""An evidence upload when the evidence directory cannot be written (issue 12): a 503 page in Chinese
saying nothing was saved — never a bare 500 — nothing saved indeed, and the operator sees the cause
on the status page. The path is made a file, not a directory: root (the test container) ignores
permission bits, a file in the way stops everyone."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cpaudit.core.models import ActionLog
from cpaudit.jobs.models import Incident
from cpaudit.org.roles import Role
from cpaudit.progress.models import Evidence, StepStatus

pytestmark = pytest.mark.usefixtures("steps_today")

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.mark.parametrize("blocked", ["file", "parent_file"])
def test_an_unwritable_evidence_directory_answers_503_and_saves_nothing(world, settings, tmp_path, steps_fill,
                                                                        steps_enrolment, blocked):
    in_the_way = tmp_path / "evidence"
    in_the_way.write_text("一个文件占住了佐证材料目录的位置")
    settings.CPAUDIT_EVIDENCE_DIR = in_the_way if blocked == "file" else in_the_way / "sub"
    record = steps_fill(steps_enrolment, [5], status=StepStatus.IN_PROGRESS)[0]
    client = Client(raise_request_exception=False)  # as a browser sees it: Django's error handling runs
    client.force_login(world.users[Role.ENTERPRISE])
    before = ActionLog.objects.count()
    response = client.post(reverse("progress:evidence_upload", args=[record.pk]),
                           {"file": SimpleUploadedFile("现状调研报告.pdf", PDF)})
    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "系统暂时无法保存" in html and "本次提交的内容没有保存" in html
    assert "文件存储目录不可用（路径被文件占用或不是目录）" in html
    assert not Evidence.objects.exists()
    incident = Incident.objects.get(key="storage:files")
    assert incident.open and f"POST {reverse('progress:evidence_upload', args=[record.pk])}" in incident.message
    assert list(ActionLog.objects.filter(seq__gt=before).values_list("action", flat=True)) == ["jobs.incident.opened"]
    # The status page shows it, with the directory's live check.
    admin = Client()
    admin.force_login(world.users[Role.SYSTEM_ADMIN])
    page = admin.get(reverse("jobs:status")).content.decode()
    assert "文件存储无法写入，请求被拒绝" in page and "Errno" in page
    assert f"{in_the_way} 不是目录" in page or f"{in_the_way / 'sub'} 不可写" in page
