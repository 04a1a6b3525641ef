"""What the journeys do in the browser, with the checks every page must pass.

Each demo user gets a browser context of their own (`Browser.login`); every page loaded is checked:
no console error, no CSP violation (Chromium reports both on the console; a `securitypolicyviolation`
listener makes sure), no horizontal overflow of the page body at the width in use. `shot()` saves the
page at 1366 px and 390 px (test-artifacts/browser/, gitignored) and checks both widths, with the main
tables fitting at 1366 px; `shot(..., guide=True)` also refreshes the user guide's picture
(docs/guide/img/).
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
GUIDE_IMG = ROOT / "docs" / "guide" / "img"
PASSWORD = "Demo-cpaudit-2020"
NEW_PASSWORD = "Journey-e2e-2026#Q"
WIDE, NARROW = (1366, 768), (390, 844)

_LISTEN = """
document.addEventListener('securitypolicyviolation', e =>
  console.error('CSP violation: ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""
# Horizontal overflow of the body, and (wide screens) main tables wider than their box.
_OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
_WIDE_TABLES = """() => Array.from(document.querySelectorAll('main table.data'))
  .filter(t => t.parentElement.scrollWidth > t.parentElement.clientWidth + 1)
  .map(t => (t.closest('section, .card, main').querySelector('h1, h2, h3') || {}).textContent || '表格')"""


class Session:
    """One user's browser tab."""

    def __init__(self, owner: "Browser", username: str):
        self.owner, self.username = owner, username
        self.context = owner.chromium.new_context(viewport=dict(zip(("width", "height"), WIDE, strict=True)),
                                                  accept_downloads=True, locale="zh-CN")
        self.context.add_init_script(_LISTEN)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"脚本错误：{exc}"))
        self.page.set_default_timeout(90_000)  # a PDF or a sealed document takes seconds on a busy machine

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"控制台错误（{self.page.url}）：{message.text}")

    # --- navigation -----------------------------------------------------------------------------
    def login(self, password: str = PASSWORD):
        self.go("/login/")
        self.page.fill("input[name=username]", self.username)
        self.page.fill("input[name=password]", password)
        self.page.locator("main form button[type=submit]").first.click()
        self.page.wait_for_load_state()
        assert "/login/" not in self.page.url, f"{self.username} 未能登录：{self.text()[:300]}"
        self.check()
        return self

    def go(self, path: str):
        response = self.page.goto(self.owner.base + path)
        assert response is not None and response.status < 400, f"{path} → {response and response.status}"
        self.check()
        return self

    def click(self, name: str, *, role: str = "link", exact: bool = False, within: str = "main"):
        """Click the link or button called `name` (inside `within`) and wait for the next page."""
        target = self.page.locator(within).get_by_role(role, name=name, exact=exact).first
        target.click()
        self.page.wait_for_load_state()
        self.check()
        return self

    def press(self, name: str, **kwargs):
        return self.click(name, role="button", **kwargs)

    def confirm_if_asked(self):
        """Irreversible actions ask "are you sure?" on a page of their own (请确认…): answer yes."""
        if self.page.title().startswith("请确认"):
            self.owner.record(self, f"confirm-{len(self.owner.sessions)}")
            self.page.locator("main form button[type=submit]").first.click()
            self.page.wait_for_load_state()
            self.check()
        return self

    def download(self, name: str) -> bytes:
        """Click the link `name` that downloads a file; its bytes."""
        with self.page.expect_download() as info:
            self.page.locator("main").get_by_role("link", name=name).first.click()
        return Path(info.value.path()).read_bytes()

    def fill(self, field: str, value: str):
        """Type into the form field named `field` (its name attribute)."""
        self.page.locator(f"main [name='{field}']").first.fill(value)
        return self

    def choose(self, field: str, option: str):
        """Pick the option labelled `option` of the select named `field`."""
        self.page.locator(f"main select[name='{field}']").first.select_option(label=option)
        return self

    def text(self) -> str:
        return self.page.inner_text("main")

    def sees(self, *fragments: str):
        text = self.text()
        for fragment in fragments:
            assert fragment in text, f"{self.username} 在 {self.page.url} 上没有看到「{fragment}」：\n{text[:1500]}"
        return self

    def message(self) -> str:
        return " ".join(self.page.locator(".messages li").all_inner_texts())

    # --- checks and screenshots ---------------------------------------------------------------
    def check(self, width: int | None = None):
        self.page.wait_for_load_state()
        problems, self.problems = self.problems, []
        overflow = self.page.evaluate(_OVERFLOW)
        if overflow > 1:
            problems.append(f"页面横向溢出 {overflow}px（宽 {width or self.page.viewport_size['width']}，{self.page.url}）")
        if problems:
            self.owner.record(self, "failure")
            pytest.fail("\n".join(problems), pytrace=False)

    def shot(self, name: str, *, guide: bool | str = False, full: bool = False):
        """The page at both widths, checking each: the whole page as an artifact; when `guide`, the
        first screen at 1366 px (`guide="both"`: at 390 px too; `full`: the whole page) as the user
        guide's picture."""
        for width, height in (WIDE, NARROW):
            self.page.set_viewport_size({"width": width, "height": height})
            self.check(width)
            if width == WIDE[0]:
                wide = self.page.evaluate(_WIDE_TABLES)
                assert not wide, f"{self.page.url}：1366px 下表格需要横向滚动：{wide}"
            path = self.owner.folder / f"{name}-{width}.png"
            self.page.screenshot(path=path, full_page=True)
            if guide == "both" or (guide and width == WIDE[0]):
                GUIDE_IMG.mkdir(parents=True, exist_ok=True)
                self.page.screenshot(path=GUIDE_IMG / f"{name}-{width}.png", full_page=full)
        self.page.set_viewport_size(dict(zip(("width", "height"), WIDE, strict=True)))
        return self


class Browser:
    """The journeys' browser: one Session per demo user, against one server (`site`: the demo copy)."""

    def __init__(self, chromium, base: str, site, name: str):
        self.chromium, self.base, self.site = chromium, base, site
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sessions: list[Session] = []

    def login(self, username: str) -> Session:
        session = Session(self, username)
        self.sessions.append(session)
        return session.login()

    def visitor(self) -> Session:
        """A tab nobody logged in to (the public pages)."""
        session = Session(self, "访客")
        self.sessions.append(session)
        return session

    def login_reset(self, username: str) -> Session:
        """A demo account nobody was given a password for (demo_ent_<id>): the security administrator's
        `cpaudit reset-password`, then the first login changes the one-time password when asked to."""
        done = self.site.run("reset-password", username)
        assert done.code == 0, str(done)
        once = next(line.split("：", 1)[1] for line in done.out if line.startswith("一次性密码"))
        session = Session(self, username)
        self.sessions.append(session)
        session.login(once)
        page = session.page
        if not page.locator("input[name=old_password]").count():  # demo accounts may keep it (demo mode)
            return session
        page.fill("input[name=old_password]", once)
        page.fill("input[name=new_password1]", NEW_PASSWORD)
        page.fill("input[name=new_password2]", NEW_PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        session.check()
        assert "password" not in page.url, session.text()[:800]
        return session

    def record(self, session: Session, name: str):
        try:
            session.page.screenshot(path=self.folder / f"{name}-{session.username}.png", full_page=True)
        except Exception:  # noqa: BLE001 - a failure screenshot is a courtesy, never a second error
            pass

    def close(self):
        for session in self.sessions:
            session.context.close()
