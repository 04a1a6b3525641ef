"""The fixtures of the subprocess tests, shared by tests/commands and tests/jobs (each conftest imports
them): the demo loaded once per session, a copy of it per test. See site.py."""

import pytest

from .site import DemoTemplate

_template: DemoTemplate | None = None
_failed: str | None = None  # why the demo could not be built: said once, not rebuilt for every test


def demo_template(tmp_path_factory) -> DemoTemplate:
    """One template per test session, whichever directory asks first."""
    global _template, _failed
    if _failed is not None:
        pytest.fail(f"演示库未能建立（见第一个出错的测试）：{_failed}", pytrace=False)
    if _template is None:
        template = DemoTemplate(tmp_path_factory.mktemp("demo"))
        try:
            template.build()
        except BaseException as exc:
            template.destroy()  # no database left behind on the server
            _failed = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise
        _template = template
    return _template


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    template = demo_template(tmp_path_factory)
    yield template
    template.destroy()


@pytest.fixture
def site(demo, tmp_path):
    """A private copy of the demo site, discarded after the test."""
    copy = demo.copy(tmp_path)
    yield copy
    demo.release(copy)
