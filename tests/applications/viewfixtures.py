"""Applications written directly in a given state for the page tests (the services are exercised by
test_services*.py and by the view-driven chain in test_views_chain.py)."""

import datetime as dt

from django.utils import timezone

from cpaudit.applications import formspec
from cpaudit.applications.models import Application, ApplicationVersion, Batch, Kind, Level, Status
from cpaudit.campaigns.models import Enrolment
from cpaudit.org.roles import Role

DAY = dt.date(2020, 7, 28)
SUBMITTED = timezone.make_aware(dt.datetime(2020, 7, 20, 10, 0))


def enrolment(world, rel="own") -> Enrolment:
    return Enrolment.objects.select_related("enterprise", "campaign").get(campaign=world.campaign,
                                                                          enterprise=world.enterprises[rel])


def organizer(world, rel):
    """The branch of the enterprise (management level 其他 in the world)."""
    return {"own": world.branch_a, "same_county": world.branch_a, "other_county": world.branch_b,
            "other_city": world.branch_sjz, "dingzhou": world.dingzhou}[rel]


def make_application(world, rel="own", status=Status.BRANCH_REVIEW, kind=Kind.EVALUATION, enrol=None,
                     **extra) -> Application:
    """An application in `status`; submitted ones carry version 1 (content frozen from the prefill)."""
    enrol = enrol or enrolment(world, rel)
    data = formspec.prefill(enrol, kind, today=DAY)
    submitted = status != Status.DRAFT
    application = Application.objects.create(
        campaign=enrol.campaign, enrolment=enrol, kind=kind, status=status, form_data=data,
        organizer=organizer(world, rel) if submitted else None,
        organizer_level=Level.BRANCH if submitted else "", submitted_at=SUBMITTED if submitted else None, **extra)
    if submitted:
        registry = formspec.registry_values(enrol, kind, None, enrol.campaign, DAY)
        ApplicationVersion.objects.create(
            application=application, number=1, content={**formspec.freeze(kind, data, registry), "version": 1},
            digest="0" * 64, submitted_by=world.users[Role.ENTERPRISE], submitted_at=SUBMITTED)
    return application


def make_batch(world, agency, recipient, applications=(), kind=Kind.EVALUATION, leader=None) -> Batch:
    items = [{"application": a.pk, "enterprise": a.enrolment.enterprise.name, "uscc": a.enrolment.enterprise.uscc,
              "county": a.enrolment.enterprise.county.name, "management_level": "其他", "organizer": "",
              "version": 1, "digest": "0" * 64} for a in applications]
    number = Batch.objects.filter(agency=agency).count() + 1
    return Batch.objects.create(
        level=Level.BRANCH, agency=agency, recipient=recipient, campaign=world.campaign, kind=kind, number=number,
        title=f"{agency}关于评估的申请", letter="现将评估申请报上。",
        content={"title": f"{agency}关于评估的申请", "items": items, "date": "2020-07-28", "signed_by": "负责人"},
        digest="0" * 64, submitted_by=leader or world.users[Role.BRANCH_LEADER], submitted_at=SUBMITTED)


def make_attachment(world, application, purpose="letter"):
    """A stored letter (or report) of `application`, its bytes in the evidence store."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cpaudit.applications.models import Attachment
    from cpaudit.core import storedfiles

    spooled = storedfiles.receive(SimpleUploadedFile(f"{purpose}.pdf", f"%PDF-1.4 {application.pk}".encode()))
    storedfiles.store(spooled.path, spooled.digest)
    return Attachment.objects.create(application=application, purpose=purpose, digest=spooled.digest,
                                     original_name=spooled.name, file_kind=spooled.kind,
                                     content_type=spooled.content_type, size=spooled.size,
                                     uploaded_by=world.users[Role.ENTERPRISE], uploaded_at=SUBMITTED)
