"""create-user, set-role, disable-user, enable-user and reset-password as real processes on the demo."""

import re

from cpaudit.org.roles import Role

from .scenarios import scenario

PASSWORD_LINE = re.compile(r"^(?:一次性初始密码|一次性密码)：(\S+)$")


def one_time_password(done) -> str:
    found = [m.group(1) for line in done.out if (m := PASSWORD_LINE.match(line))]
    assert len(found) == 1, done
    return found[0]


def account(site, username: str) -> dict:
    rows = site.sql("SELECT role, is_active, must_change_password, agency_id, enterprise_id FROM org_user "
                    "WHERE username = %s", username)
    if not rows:
        return {}
    role, active, must_change, agency, enterprise = rows[0]
    return {"role": role, "active": bool(active), "must_change": bool(must_change), "agency": agency,
            "enterprise": enterprise}


def can_log_in(site, username: str, password: str) -> bool:
    return site.django("from django.contrib.auth import authenticate\n"
                       f"result = authenticate(username={username!r}, password={password!r}) is not None\n")


def sessions_of(site, username: str) -> int:
    return site.django("from django.contrib.sessions.models import Session\n"
                       "from cpaudit.org.models import User\n"
                       f"pk = str(User.objects.get(username={username!r}).pk)\n"
                       "result = sum(1 for s in Session.objects.all() if s.get_decoded().get('_auth_user_id') == pk)\n")


def open_session(site, username: str) -> None:
    site.django("from django.contrib.sessions.backends.db import SessionStore\n"
                "from cpaudit.org.models import User\n"
                f"user = User.objects.get(username={username!r})\n"
                "store = SessionStore()\n"
                "store.update({'_auth_user_id': str(user.pk), '_auth_user_backend': 'x', '_auth_user_hash': 'x'})\n"
                "store.create()\n")


def last_entry(site, count: int) -> dict:
    entries = site.log_since(count)
    assert len(entries) == 1, entries
    return entries[0]


@scenario("create-user")
def create_the_first_administrator_then_staff_and_enterprises(site, demo):
    helped = site.run("create-user", "--help")
    codes = {line.split()[0] for line in helped.out[helped.out.index("角色代码（ROLE）：") + 1:] if line.strip()}
    assert helped.code == 0 and codes == {r.value for r in Role}, helped
    before = site.log_count()
    done = site.run("create-user", "ops_sec", "--role", "secadmin", "--full-name", "运维安全员")
    assert done.code == 0 and done.out[0] == "已开设账号 ops_sec（安全管理员）", done
    password = one_time_password(done)
    assert can_log_in(site, "ops_sec", password) and account(site, "ops_sec")["must_change"]
    entry = last_entry(site, before)
    assert (entry["action"], entry["actor"]) == ("org.user.created", "系统（create-user）")
    assert password not in str(entry["data"])

    ambiguous = site.run("create-user", "bd_new", "--role", "city_staff", "--full-name", "新同事", "--agency", "130600")
    assert ambiguous.code == 1 and ambiguous.out == [] and "请改用 --agency-id 指定单位编号" in ambiguous.err[0]
    ids = [int(m.group(1)) for line in ambiguous.err if (m := re.match(r"\s+编号 (\d+)：保定市生态环境局（", line))]
    done = site.run("create-user", "bd_new", "--role", "city_staff", "--full-name", "新同事", "--agency-id", ids[0])
    assert done.code == 0 and account(site, "bd_new")["agency"] == ids[0], done

    refused = site.run("create-user", "x1", "--role", "nosuch", "--full-name", "某")
    assert refused.code == 1 and refused.err[0].startswith("没有角色“nosuch”"), refused
    refused = site.run("create-user", "x2", "--role", "city_staff", "--full-name", "某")
    assert (refused.code, refused.err) == (1, ["所属单位：政府工作人员须指定所属单位"]), refused
    refused = site.run("create-user", "x3", "--role", "auditadmin", "--full-name", "某", "--as-user", "sysadmin")
    assert refused.code == 1 and "cpaudit create-user" in refused.err[0], refused
    assert not site.sql("SELECT 1 FROM org_user WHERE username IN ('x1', 'x2', 'x3')")


@scenario("create-user")
def branch_staff_open_enterprise_accounts_of_their_county_only(site, demo):
    own = site.sql("SELECT uscc FROM registry_enterprise WHERE county_id = '130602' ORDER BY uscc LIMIT 1")[0][0]
    far = site.sql("SELECT uscc FROM registry_enterprise WHERE county_id <> '130602' ORDER BY uscc LIMIT 1")[0][0]
    done = site.run("create-user", "jx_ent_new", "--role", "enterprise", "--full-name", "企业经办",
                    "--enterprise", own, "--as-user", "jx_staff", "--invite")
    assert done.code == 0 and done.out[1].startswith("激活码："), done
    assert account(site, "jx_ent_new")["enterprise"] is not None
    assert not can_log_in(site, "jx_ent_new", done.out[1].split("：", 1)[1])  # a code is not a password
    refused = site.run("create-user", "jx_ent_far", "--role", "enterprise", "--full-name", "某", "--enterprise", far,
                       "--as-user", "jx_staff")
    assert refused.code == 1 and "不在您的辖区内" in refused.err[0], refused
    refused = site.run("create-user", "jx_staff_2", "--role", "branch_staff", "--full-name", "某", "--agency",
                       "130602", "--as-user", "jx_staff")
    assert (refused.code, refused.err) == (1, ["分局经办只能开设本县（市、区）企业和在本县开展审核的咨询机构的账号"])


@scenario("set-role")
def assign_a_role_but_never_ones_own(site, demo):
    before = site.log_count()
    done = site.run("set-role", "jx_staff", "branch_leader")
    assert (done.code, done.out) == (0, ["已将账号 jx_staff 的角色由分局经办改为分局负责人"]), done
    assert account(site, "jx_staff")["role"] == "branch_leader"
    assert last_entry(site, before)["actor"] == "系统（set-role）"
    for args, reason in [(("secadmin", "auditadmin", "--as-user", "secadmin"), "不能更改自己的账号"),
                         (("bd_staff", "auditadmin"), "管理员角色与业务角色不能互换：请另行开设账号（三权分立）"),
                         (("bd_staff", "city_leader", "--as-user", "sysadmin"), "您的角色（系统管理员）无权分配角色"),
                         (("nobody", "expert"), "用户“nobody”不存在")]:
        refused = site.run("set-role", *args)
        assert (refused.code, refused.err) == (1, [reason]), refused
    done = site.run("set-role", "bd_staff", "city_leader", "--as-user", "secadmin")
    assert done.code == 0 and account(site, "bd_staff")["role"] == "city_leader", done


@scenario("disable-user")
def disable_ends_the_sessions(site, demo):
    open_session(site, "bd_staff")
    assert sessions_of(site, "bd_staff") == 1
    done = site.run("disable-user", "bd_staff", "--reason", "调离")
    assert (done.code, done.out) == (0, ["已停用账号 bd_staff，结束会话 1 个"]), done
    assert sessions_of(site, "bd_staff") == 0 and not account(site, "bd_staff")["active"]
    again = site.run("disable-user", "bd_staff", "--reason", "调离")
    assert (again.code, again.err) == (1, ["账号“bd_staff”已停用"]), again
    refused = site.run("disable-user", "hb_staff", "--reason", "调离", "--as-user", "secadmin")
    assert refused.code == 1 and refused.err == ["您的角色（安全管理员）无权维护或停用用户账号"], refused
    assert account(site, "hb_staff")["active"]


@scenario("enable-user")
def re_enable_as_the_security_administrator(site, demo):
    assert site.run("disable-user", "hb_staff", "--reason", "长期外出").code == 0
    refused = site.run("enable-user", "hb_staff", "--reason", "回岗", "--as-user", "sysadmin")
    assert refused.code == 1 and not account(site, "hb_staff")["active"], refused
    done = site.run("enable-user", "hb_staff", "--reason", "回岗", "--as-user", "secadmin")
    assert (done.code, done.out) == (0, ["已重新启用账号 hb_staff"]), done
    assert account(site, "hb_staff")["active"]
    assert site.sql("SELECT actor_name FROM core_actionlog WHERE action = 'org.user.enabled'") == [("secadmin",)]


@scenario("reset-password")
def reset_gives_a_one_time_password(site, demo):
    open_session(site, "dz_staff")
    done = site.run("reset-password", "dz_staff")
    assert done.code == 0 and done.out[0] == "已重置账号 dz_staff 的密码", done
    password = one_time_password(done)
    assert can_log_in(site, "dz_staff", password) and account(site, "dz_staff")["must_change"]
    assert sessions_of(site, "dz_staff") == 0
    refused = site.run("reset-password", "secadmin", "--as-user", "secadmin")
    assert (refused.code, refused.err) == (1, ["不能重置自己的账号"]), refused
