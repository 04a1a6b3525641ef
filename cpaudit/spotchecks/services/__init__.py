"""Business actions of the spot checks (双随机、一公开): one function per action, each checking the
role and the agency, locking its row, checking the state, saving and logging in one transaction.
Log codes and their Chinese labels: log_labels.py."""

from .findings import (  # noqa: F401
    evidence_open,
    evidence_upload,
    findings_record,
    is_assigned,
    rectification_close,
    rectification_open,
    rectification_report,
)
from .inspectors import inspector_set  # noqa: F401
from .plans import plan_approve, plan_draw, plan_preview, plan_replay, plan_save, plan_verify  # noqa: F401
