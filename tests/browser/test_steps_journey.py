"""An enterprise records a step with evidence; its branch confirms one step and returns another with a
reason; the enterprise sees the return (workbench, notification) and fixes it (ent_001, 保定市华泰啤酒,
竞秀区 branch: jx_staff)."""

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def test_enterprise_records_branch_confirms_and_returns(browser, tmp_path):
    [(enrolment,)] = browser.site.sql(
        "SELECT en.id FROM campaigns_enrolment en JOIN org_user u ON u.enterprise_id = en.enterprise_id "
        "JOIN campaigns_campaign c ON c.id = en.campaign_id WHERE u.username = 'ent_001' AND c.slug = 'byd2026'")
    ENROLMENT = f"/progress/enrolments/{enrolment}/"  # noqa: N806 - ent_001 in the 2026 campaign
    evidence = tmp_path / "方案筛选记录.pdf"
    evidence.write_bytes(PDF)

    enterprise = browser.login("ent_001").shot("enterprise-home", guide="both")
    enterprise.go(ENROLMENT).sees("审核进展", "待核实步骤").shot("enterprise-progress", guide=True)
    enterprise.go(ENROLMENT + "steps/18/")
    enterprise.choose("status", "已完成").fill("completion_date", "2026-12-01").fill("note", "方案筛选会已召开，形成筛选结果。")
    enterprise.press("保存").sees("已保存第18步的进展")
    enterprise.page.set_input_files("input[type=file]", str(evidence))
    enterprise.press("上传").sees("已上传：方案筛选记录.pdf", "待核实")
    enterprise.shot("enterprise-step-recorded", guide=True)

    branch = browser.login("jx_staff")
    branch.go(ENROLMENT + "steps/18/").sees("方案筛选记录.pdf", "待核实").shot("branch-step-review", guide="both")
    branch.press("核实（锁定）").confirm_if_asked().sees("第18步已核实并锁定", "已核实")
    branch.go(ENROLMENT + "steps/17/")
    branch.fill("reason", "缺少方案汇总表，请上传后重新提交。")
    branch.press("退回企业").confirm_if_asked().sees("第17步已退回企业", "已退回")

    enterprise.go("/").sees("被退回的步骤", "第17步", "缺少方案汇总表")  # the workbench
    enterprise.go("/reports/notifications/").sees("第17步").shot("enterprise-notifications", guide=True)
    enterprise.go(ENROLMENT).sees("已退回")
    enterprise.go(ENROLMENT + "steps/17/").sees("退回原因：缺少方案汇总表，请上传后重新提交。")
    enterprise.shot("enterprise-step-returned", guide=True)
    enterprise.page.set_input_files("input[type=file]", str(evidence))
    enterprise.press("上传").sees("已上传")
    enterprise.choose("status", "已完成").fill("completion_date", "2026-12-02").fill("note", "已补充方案汇总表。")
    enterprise.press("保存").sees("已保存第17步的进展", "待核实")
    enterprise.go(ENROLMENT + "steps/18/").sees("该步骤已核实锁定")
