"""Monthly reports: a branch drafts, its leader approves and submits and downloads the PDF; the city sees
which branches are late, reminds them, receives what came in and submits its consolidation
(清苑区 branch: qy_staff / qy_leader; 保定 city: bd_staff / bd_leader; demo campaign byd2026)."""



def agency(browser, name: str) -> int:
    [(pk,)] = browser.site.sql("SELECT id FROM org_agency WHERE name = %s", name)
    return pk


def test_branch_drafts_and_leader_submits_the_monthly_report(browser):
    december = f"/reports/byd2026/2026-12/{agency(browser, '保定市生态环境局清苑区分局')}/"  # not yet drafted
    staff = browser.login("qy_staff")
    staff.go("/reports/").sees("月度报告", "编辑报告文字").shot("branch-report-draft", guide=True)
    assert staff.page.url.endswith(december), staff.page.url
    staff.fill("problems", "个别企业审核进度滞后，已约谈督促。").press("保存草稿").sees("已保存报告草稿")

    leader = browser.login("qy_leader")
    leader.go(december).sees("审批并报送", "个别企业审核进度滞后")
    leader.press("审批并报送").confirm_if_asked().sees("已审批并报送第1版")
    leader.shot("branch-report-submitted", guide=True)
    pdf = leader.download("下载 PDF")
    assert pdf.startswith(b"%PDF"), pdf[:20]


def test_city_sees_who_is_late_reminds_and_consolidates(browser):
    november = f"/reports/byd2026/2026-11/city/{agency(browser, '保定市生态环境局')}/"  # most branches late
    city = browser.login("bd_staff")
    city.go(november).sees("逾期未报送", "逾期报送", "按时报送").shot("city-report-overview", guide=True)
    rows = city.page.locator("main table.data tbody tr")
    late = rows.filter(has_text="逾期未报送").count()
    assert late >= 20, late
    for branch in ("竞秀区分局", "清苑区分局"):
        rows.filter(has_text=branch).get_by_role("button", name="接收").click()
        city.page.wait_for_load_state()
        city.check()
    assert rows.filter(has_text="已接收").count() == 2, city.text()[:2000]

    city.go("/").sees("逾期未报的分局", "催报")  # the workbench: late branches and 催报 (a reminder)
    city.page.locator("main").get_by_role("button", name="催报").first.click()
    city.page.wait_for_load_state()
    city.check()
    assert "催报" in city.message() and "分局" in city.message(), city.message()
    city.shot("city-remind", guide=True)

    city.go(november).fill("problems", "多数分局逾期未报送，已发催报。").press("保存草稿").sees("已保存报告草稿")
    leader = browser.login("bd_leader")
    leader.go(november).press("审批并报送").confirm_if_asked().sees("已审批并报送第1版")
    leader.shot("city-report-submitted", guide=True)
    assert leader.download("下载 PDF").startswith(b"%PDF")
