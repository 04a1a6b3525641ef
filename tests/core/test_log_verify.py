"""The audit administrator's log page: action names in Chinese beside the sentence, and 校验日志链 with
its result on the page (a tampered chain is reported, the check itself is logged)."""

from django.db import connection, transaction
from django.urls import reverse

from cpaudit.core.log import log_action
from cpaudit.core.logreset import allow_log_reset
from cpaudit.core.models import ActionLog
from cpaudit.org.roles import Role


def test_the_log_page_names_actions_in_chinese(client, world):
    with transaction.atomic():
        log_action(actor=world.users[Role.BRANCH_STAFF], action="progress.step.confirmed", obj=world.campaign)
    client.force_login(world.users[Role.AUDIT_ADMIN])
    html = client.get(reverse("log_list")).content.decode()
    assert '<td title="progress.step.confirmed">核实审核步骤</td>' in html
    assert ">progress.step.confirmed<" not in html


def test_verify_the_chain_from_the_page(client, world):
    with transaction.atomic():
        log_action(actor=world.users[Role.BRANCH_STAFF], action="progress.step.confirmed", obj=world.campaign)
    client.force_login(world.users[Role.AUDIT_ADMIN])
    html = client.post(reverse("log_verify")).content.decode()
    assert "日志链完整" in html and "已逐条校验 2 条" in html
    assert ActionLog.objects.filter(action="core.log.verified", data__ok=True).exists()
    entry = ActionLog.objects.filter(action="progress.step.confirmed").first()
    with allow_log_reset(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_actionlog SET object_repr = %s WHERE seq = %s", ["改写", entry.seq])
    html = client.post(reverse("log_verify")).content.decode()
    assert "日志链校验未通过" in html and f"第 {entry.seq} 条日志内容与其摘要不符" in html
