"""双随机抽查 in the browser: 保定's staff (bd_staff) make a plan for its counties with a check today,
draw the enterprises and the inspectors (after the confirmation page), replay the draw (复核抽取: 复核一致);
an inspector drawn finds the enterprise in 我的检查任务 and records the check (all conforming)."""

import datetime as dt

from .test_application_journey import login_as


def test_spot_check_drawn_verified_and_checked(browser):
    city = browser.login("bd_staff")
    city.go("/spotchecks/new/").sees("制定抽查方案")
    page = city.page
    page.locator("main select[name='campaign']").select_option(index=1)
    city.fill("title", "保定市双随机抽查（浏览器测试）")
    boxes = page.locator("main input[name='counties']")
    assert boxes.count() >= 2
    for i in range(boxes.count()):
        boxes.nth(i).check()
    city.fill("share_percent", "10").fill("per_enterprise", "1")
    page.locator("main input[name='include_subordinates']").check()
    city.fill("check_date", dt.date.today().isoformat())
    city.press("保存方案")
    assert "已制定抽查方案" in city.message(), city.message() + city.text()[:1500]
    city.sees("合计抽取").shot("city-spotcheck-plan", guide=True)
    plan_url = city.page.url.removeprefix(browser.base)

    city.press("抽取检查对象和检查人员").confirm_if_asked()
    assert "已抽取检查对象和检查人员" in city.message(), city.message()
    city.sees("抽取结果", "随机种子").shot("city-spotcheck-drawn", guide=True)
    city.click("复核抽取").sees("复核一致")
    assert "不一致" not in city.page.inner_text("main table.data")
    city.shot("city-spotcheck-verified")

    plan_id = int(plan_url.strip("/").split("/")[-1])
    (item, username), *_ = browser.site.sql(
        "SELECT i.id, u.username FROM spotchecks_item i JOIN spotchecks_assignment a ON a.item_id = i.id "
        "JOIN org_user u ON u.id = a.inspector_id WHERE i.plan_id = %s ORDER BY i.\"order\", a.\"order\"", plan_id)
    inspector = login_as(browser, username)
    inspector.go("/spotchecks/mine/").sees("保定市双随机抽查（浏览器测试）")
    inspector.go(f"/spotchecks/items/{item}/")
    for aspect in ("options", "figures", "equipment"):
        inspector.page.locator(f"main select[name='{aspect}_outcome']").select_option(index=1)
    inspector.fill("summary", "现场核实，未发现问题。").press("保存检查结果")
    assert "已保存检查结果" in inspector.message(), inspector.message() + inspector.text()[:1500]
    inspector.shot("inspector-spotcheck-recorded", guide=True)
