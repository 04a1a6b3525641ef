"""Authorization rows for the user guide (帮助, cpaudit.core.guide): every signed-in user reads every
role's guide; its pictures are tested in tests/core/test_guide.py."""

MATRIX = {
    "guide:index": (None, lambda role, rel: 200, "get"),
    "guide:page": (lambda w, rel: {"slug": "branch"}, lambda role, rel: 200, "get"),
}
COVERED_ELSEWHERE = {"guide:image"}
