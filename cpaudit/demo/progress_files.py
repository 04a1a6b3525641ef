"""The demo's deliverable files (progress_data): every completed step 22, 27 or 35 carries its report,
because those steps are completed only with their file (cpaudit.progress.services.steps).

Each file is a small real PDF (cpaudit.demo.documents) stored like an upload through the evidence
storage (core.storedfiles: typed by content, stored by SM3), so downloads in the demo work. The
uploader is whoever records the enterprise's progress (its own or its agency's demo account), else an
active account of the enterprise, else an enterprise account made here with no usable password: the
one applications_data would make (demo_ent_<id>), a name on the file that nobody logs in as.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from cpaudit.core import storedfiles
from cpaudit.org.models import User
from cpaudit.org.roles import Role
from cpaudit.org.services import user_create
from cpaudit.progress.models import Evidence, StepStatus
from cpaudit.progress.steps import DELIVERABLE_STEPS, step

from .documents import pdf_upload

UPLOAD_TIME = dt.time(8, 30)  # the morning of the completion day, before the step is recorded completed


def uploader(people, enrolment, actor) -> User:
    found = people.recorder(enrolment) or people.made.get(enrolment.enterprise_id)
    if found is not None:
        return found
    enterprise = enrolment.enterprise
    found = (User.objects.filter(enterprise=enterprise, role=Role.ENTERPRISE, is_active=True).order_by("pk").first()
             or user_create(actor=actor, user=User(
                 username=f"demo_ent_{enterprise.pk}", role=Role.ENTERPRISE, is_demo=True,
                 full_name=enterprise.contact_person or "企业经办人", password=make_password(None),
                 enterprise=enterprise)))
    people.made[enterprise.pk] = found
    return found


def _stored(record, campaign) -> storedfiles.Spooled:
    enterprise, info = record.enrolment.enterprise, step(record.step_id)
    title = info.deliverable.split(" / ")[0]
    upload = pdf_upload(f"{title}-{enterprise.name}.pdf", title, [
        f"企业名称：{enterprise.name}", f"统一社会信用代码：{enterprise.uscc}", f"审核批次：{campaign.year}年清洁生产审核",
        f"审核步骤：第{info.number}步 {info.name}（第{info.stage}阶段 {info.stage_name}）",
        f"完成日期：{record.completion_date:%Y-%m-%d}"])
    spooled = storedfiles.receive(upload)
    try:
        storedfiles.store(spooled.path, spooled.digest)
    finally:
        spooled.path.unlink(missing_ok=True)
    return spooled


def deliverable_files(records, campaign, people, actor) -> list[Evidence]:
    """A current file on each completed deliverable among `records` (saved already). Returns them."""
    evidence = []
    for record in records:
        if record.step_id not in DELIVERABLE_STEPS or record.status != StepStatus.COMPLETED:
            continue
        spooled = _stored(record, campaign)
        evidence.append(Evidence(
            record=record, digest=spooled.digest, original_name=spooled.name, kind=spooled.kind,
            content_type=spooled.content_type, size=spooled.size, uploaded_by=uploader(people, record.enrolment, actor),
            uploaded_at=timezone.make_aware(dt.datetime.combine(record.completion_date, UPLOAD_TIME)),
            is_current=True))
    return Evidence.objects.bulk_create(evidence)
