"""The enterprise page tells its whole story: the 35-step timeline with evidence, options, applications
with their documents, the log (for officials), in a fixed number of queries."""

from django.db import transaction
from django.urls import reverse

from cpaudit.applications.models import Status
from cpaudit.campaigns.models import Enrolment
from cpaudit.core.log import log_action
from cpaudit.org.roles import Role
from cpaudit.progress.models import Option
from tests.applications.viewfixtures import make_application
from tests.factories import complete_audit
from tests.querycount import page_queries


def enrolment(world, rel="own"):
    return Enrolment.objects.get(enterprise=world.enterprises[rel], campaign=world.campaign)


def test_the_page_has_timeline_evidence_options_applications_and_log(client, world):
    records = complete_audit(enrolment(world), through=22, confirmed=True)
    Option.objects.create(enrolment=enrolment(world), name="余热回收改造", category="low", investment=5)
    application = make_application(world, status=Status.BRANCH_REVIEW)
    with transaction.atomic():
        log_action(actor=world.users[Role.BRANCH_STAFF], action="progress.step.confirmed", obj=records[0],
                   data={"enrolment": enrolment(world).pk})
    url = reverse("registry:enterprise_detail", args=[world.enterprises["own"].pk])
    client.force_login(world.users[Role.BRANCH_STAFF])
    html = client.get(url).content.decode()
    assert "审核进展（7个阶段35个步骤）" in html and html.count("<td>未开始</td>") == 35 - 22
    assert "第22步成果.pdf" in html and "余热回收改造" in html
    assert f'href="{reverse("applications:detail", args=[application.pk])}"' in html
    assert "办理记录（操作日志）" in html and "核实审核步骤" in html
    client.force_login(world.users[Role.ENTERPRISE])
    own = client.get(url).content.decode()
    assert "第22步成果.pdf" in own and "办理记录（操作日志）" not in own  # officials' log: not for the enterprise


def test_the_page_takes_a_fixed_number_of_queries(client, world):
    url = reverse("registry:enterprise_detail", args=[world.enterprises["own"].pk])
    client.force_login(world.users[Role.CITY_STAFF])
    few = page_queries(client, url)
    complete_audit(enrolment(world), through=35, confirmed=True)
    for n in range(3):
        Option.objects.create(enrolment=enrolment(world), name=f"方案{n}", category="low", investment=1)
    make_application(world, status=Status.BRANCH_REVIEW)
    assert page_queries(client, url) == few
