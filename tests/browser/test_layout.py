"""The one layout in the browser: identity, navigation collapsing behind 菜单 at 390 px without script,
breadcrumbs, the 帮助 link to the role's guide, and print styles without navigation."""


def test_layout_collapses_prints_and_helps(browser):
    staff = browser.login("jx_staff")
    page = staff.page
    header = page.inner_text("header")
    assert "雷振华" in header and "分局经办" in header and "竞秀区分局" in header, header
    staff.go("/registry/enterprises/")
    assert "首页 › 企业名录" in page.inner_text("nav.crumbs")
    assert page.locator(".mainnav a.active").inner_text() == "企业名录"

    page.set_viewport_size({"width": 390, "height": 844})
    assert not page.locator(".mainnav").is_visible()
    page.locator("label.nav-toggle-label").click()  # CSS only: the checkbox's :checked state
    assert page.locator(".mainnav").is_visible()
    assert page.locator(".mainnav a", has_text="企业名录").is_visible()
    staff.check(390)

    page.set_viewport_size({"width": 1366, "height": 768})
    page.emulate_media(media="print")
    assert not page.locator(".mainnav").is_visible() and not page.locator(".who").is_visible()
    assert page.locator("main table.data").first.is_visible()
    page.emulate_media(media="screen")

    page.locator("header").get_by_role("link", name="帮助").click()
    page.wait_for_load_state()
    staff.check()
    staff.sees("县（区）分局经办与负责人使用指南", "您的角色").shot("help-page")
    assert page.locator("main article img").count() >= 3
    broken = page.evaluate("() => Array.from(document.querySelectorAll('main img'))"
                           ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)")
    assert not broken, broken
