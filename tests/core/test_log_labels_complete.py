"""Every action code the code writes has a Chinese label (the log page never shows a raw code)."""

import re
from pathlib import Path

from cpaudit.core.logdisplay import ACTION_LABELS
from cpaudit.org.access import RULES

ROOT = Path(__file__).resolve().parents[2] / "cpaudit"
CODE = re.compile(r'(?:action|ACTION)\s*=\s*"([a-z]+(?:\.[a-z_]+){2,})"')


def test_every_written_action_code_has_a_label():
    from django.urls import get_resolver

    import cpaudit.progress.log_labels  # noqa: F401  (apps register at ready(); make sure here too)

    # Services register their labels when imported; a process that shows the log has loaded its URLs
    # (views → services), so load them here too: the check must not depend on which tests ran before.
    assert get_resolver().url_patterns

    written = set()
    for path in ROOT.rglob("*.py"):
        written.update(CODE.findall(path.read_text(encoding="utf-8")))
    written -= set(RULES)  # permission names passed as action=… to access.check, not log codes
    assert "progress.step.recorded" in written  # the scan does find log codes
    missing = sorted(code for code in written if code not in ACTION_LABELS)
    assert not missing, f"action codes without a label in core/logdisplay: {missing}"
