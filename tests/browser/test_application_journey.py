"""An application for 评估 through its chain: the branch returns it with a reason, the enterprise fixes and
resubmits it, the branch agrees and its leader approves, the city agrees and sends it to the province in
a written batch, the province approves and the application waits for its expert panel (组织评估; the
panel draw, the scoring and the public result are not driven here yet) (定州市裕华酒业, its demo account; 定州市生态环境局, a 省直管县 acting as
branch and city: dz_staff / dz_leader, dz_city_staff / dz_city_leader; 河北省厅: hb_staff / hb_leader)."""



def decide(session, outcome: str, opinion: str = ""):
    """Fill the opinion form on the application page (its checks answered 是) and press `outcome`."""
    page = session.page
    for name in ("check_materials_complete", "check_facts_true"):
        radio = page.locator(f"main input[name='{name}'][value='true']")
        if radio.count():
            radio.check()
    if opinion:
        session.fill("opinion", opinion)
    session.press(outcome).confirm_if_asked()
    assert "已提交意见" in session.message() or "已退回" in session.message(), session.message()
    return session


def test_application_returned_fixed_and_approved_up_the_chain(browser):
    [(pk, status)] = browser.site.sql(
        "SELECT a.id, a.status FROM applications_application a JOIN campaigns_enrolment en ON en.id = a.enrolment_id "
        "JOIN registry_enterprise e ON e.id = en.enterprise_id WHERE e.name = '定州市裕华酒业有限公司' "
        "AND a.kind = 'evaluation'")
    assert status == "branch_review", status
    APPLICATION = f"/applications/{pk}/"  # noqa: N806 - the demo's 评估 waiting for the branch
    branch = browser.login("dz_staff")
    branch.go(APPLICATION).sees("待分局审核", "轮到您办理").shot("branch-application-review", guide=True)
    decide(branch, "退回企业", "企业主要产品填写不全，请补充后重新提交。")

    (username,), *_ = browser.site.sql(
        "SELECT u.username FROM org_user u JOIN registry_enterprise e ON e.id = u.enterprise_id "
        "WHERE e.name = '定州市裕华酒业有限公司' ORDER BY u.id")
    enterprise = browser.login_reset(username)
    enterprise.go(APPLICATION).sees("已退回", "企业主要产品填写不全", "轮到您办理")
    enterprise.shot("enterprise-application-returned", guide=True)
    enterprise.click("填写申请表").fill("main_products", "浓香型白酒、原浆酒、酒糟饲料")
    enterprise.press("保存并提交").confirm_if_asked()
    assert "已提交第2版申请表" in enterprise.message(), enterprise.message()
    enterprise.go(APPLICATION).sees("待分局审核", "浓香型白酒、原浆酒、酒糟饲料", "第2版")

    branch.go(APPLICATION).sees("待分局审核", "第2版")
    decide(branch, "同意上报")
    leader = browser.login("dz_leader")
    leader.go(APPLICATION).sees("待分局负责人审批", "轮到您办理")
    decide(leader, "同意")

    city = browser.login("dz_city_staff")
    city.go(APPLICATION).sees("待市局初审", "轮到您办理")
    decide(city, "同意", "材料齐全，同意上报。")
    city_leader = browser.login("dz_city_leader")
    city_leader.go(APPLICATION).sees("待市局负责人审批")
    decide(city_leader, "同意")
    city_leader.go(APPLICATION).sees("待市局报送省厅", "轮到您办理")
    city_leader.go("/applications/batches/new/").sees("报送书面评估/验收申请", "定州市裕华酒业有限公司")
    city_leader.page.locator(f"main input[name='applications'][value='{pk}']").check()
    city_leader.shot("city-application-batch", guide=True)
    city_leader.press("报送").confirm_if_asked()

    province = browser.login("hb_staff")
    province.go(APPLICATION).sees("待省厅审批", "轮到您办理")
    decide(province, "同意", "同意组织评估。")
    province_leader = browser.login("hb_leader")
    province_leader.go(APPLICATION).sees("待省厅负责人审批")
    decide(province_leader, "同意")
    province_leader.go(APPLICATION).sees("组织评估/验收中").shot("province-application-organizing", guide=True)
    enterprise.go(APPLICATION).sees("组织评估/验收中", "同意组织评估。")
