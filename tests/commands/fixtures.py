"""The fixtures of the subprocess tests, shared by tests/commands and tests/jobs (each conftest imports
them): the demo loaded once per session, a copy of it per test. See site.py."""

import pytest

from .site import DemoTemplate

_template: DemoTemplate | None = None


def demo_template(tmp_path_factory) -> DemoTemplate:
    """One template per test session, whichever directory asks first."""
    global _template
    if _template is None:
        _template = DemoTemplate(tmp_path_factory.mktemp("demo")).build()
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
