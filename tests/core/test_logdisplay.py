"""Human-readable text of log entries, made when the log is read."""

import datetime as dt

import pytest

from cpaudit.core import logdisplay
from cpaudit.core.logdisplay import describe
from cpaudit.core.models import ActionLog

# 2020-07-21 10:15 in Beijing
WHEN = dt.datetime(2020, 7, 21, 2, 15, 30, tzinfo=dt.UTC)
BRANCH = {"actor_name": "张三", "actor_role": "branch_staff", "actor_agency": "保定市生态环境局竞秀区分局"}


def entry(**kwargs) -> ActionLog:
    fields = {"seq": 1, "time": WHEN, "action": "registry.enterprise.updated",
              "object_type": "registry.enterprise", "object_id": "7",
              "object_repr": "某某纸业有限公司", **BRANCH}
    fields.update(kwargs)
    return ActionLog(**fields)


def test_update_names_time_actor_action_object_and_changes():
    text = describe(entry(changes={"registered_capital": ["100", "200"], "contact_person": ["李四", "王五"]}))
    assert text == ("2020-07-21 10:15 张三（分局经办，保定市生态环境局竞秀区分局）"
                    "修改企业信息「某某纸业有限公司」：联系人 李四 → 王五；注册资本（万元） 100 → 200")


def test_time_is_shown_in_beijing_time():
    text = describe(entry(time=dt.datetime(2020, 7, 21, 16, 30, tzinfo=dt.UTC)))
    assert text.startswith("2020-07-22 00:30 ")


def test_unknown_code_falls_back_to_the_code():
    text = describe(entry(action="plugin.widget.frobbed", object_type="", object_repr="小部件"))
    assert text == ("2020-07-21 10:15 张三（分局经办，保定市生态环境局竞秀区分局）"
                    "plugin.widget.frobbed「小部件」")


def test_registered_code_gets_its_label(monkeypatch):
    monkeypatch.setattr(logdisplay, "ACTION_LABELS", dict(logdisplay.ACTION_LABELS))
    logdisplay.register("plugin.widget.frobbed", "调整小部件")
    assert "调整小部件「小部件」" in describe(entry(action="plugin.widget.frobbed", object_repr="小部件"))


def test_unknown_field_falls_back_to_its_raw_name():
    text = describe(entry(changes={"no_such_field": ["a", "b"]}))
    assert text.endswith("：no_such_field a → b")


def test_unknown_object_type_falls_back_to_raw_field_names():
    text = describe(entry(object_type="plugin.nothing", changes={"name": ["a", "b"]}))
    assert text.endswith("：name a → b")


def test_foreign_key_attname_gets_the_field_label():
    text = describe(entry(changes={"county_id": ["130602", "130606"]}))
    assert text.endswith("：所在县（市、区） 130602 → 130606")


def test_choices_booleans_and_empty_values_are_readable():
    text = describe(entry(changes={"management_level": ["other", "provincial"],
                                   "water_related": [True, False], "postcode": [None, "071000"]}))
    assert text.endswith("：邮编 （空） → 071000；管理级别 其他 → 省管；涉水企业 是 → 否")


def test_created_entry_lists_new_values_without_arrows():
    text = describe(entry(action="registry.enterprise.created", changes={"name": [None, "某某纸业有限公司"]}))
    assert text.endswith("新增企业「某某纸业有限公司」：企业名称 某某纸业有限公司")


def test_login_failed_by_anonymous():
    text = describe(entry(action="auth.login_failed", actor_name="匿名", actor_role="", actor_agency="",
                          object_type="org.user", object_id="", object_repr="bstaff"))
    assert text == "2020-07-21 10:15 匿名登录失败「bstaff」"


def test_system_actor_has_no_role_bracket():
    text = describe(entry(action="registry.import.completed", actor_name="系统（import）",
                          actor_role="system", actor_agency="", object_type="", object_repr=""))
    assert text == "2020-07-21 10:15 系统（import）导入企业名录"


def test_actor_without_agency_shows_role_only():
    text = describe(entry(action="auth.login", actor_name="auditadmin", actor_role="auditadmin",
                          actor_agency="", object_type="org.user", object_repr="auditadmin"))
    assert text == "2020-07-21 10:15 auditadmin（审计管理员）登录「auditadmin」"


def test_uscc_acceptance_is_spelled_out():
    text = describe(entry(action="registry.enterprise.created", changes={},
                          data={"uscc_check_accepted": True, "uscc_check_failure": "校验码错误：第18位应为“5”"}))
    assert text.endswith("新增企业「某某纸业有限公司」：统一社会信用代码校验未通过（校验码错误：第18位应为“5”），"
                         "已核对营业执照后确认")


@pytest.mark.django_db
def test_describe_makes_no_query(django_assert_num_queries):
    # actor_id set: describe must use the frozen actor fields, not load the user
    entries = [entry(actor_id=1, changes={"contact_person": ["李四", "王五"]}),
               entry(actor_id=2, action="auth.login", object_type="org.user")]
    with django_assert_num_queries(0):
        for e in entries:
            describe(e)


def test_field_label_comes_from_the_model():
    assert logdisplay.field_label("registry.enterprise", "registered_capital") == "注册资本（万元）"
