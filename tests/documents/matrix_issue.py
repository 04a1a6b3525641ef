"""Authorization rows for issuing (签发) the application chain's documents (collected by
tests/test_authorization_matrix.py).

From authority.md and issue 10: issuing is a leader's act. Any other role is refused (403) before
anything is looked up; a leader outside its jurisdiction gets 404 (existence is not disclosed); a
leader who sees the object is answered on the page (302 back to it): issued, or told why not (here
the application has no confirmed result and the world has no seal keys, so nothing is issued).
"""

from cpaudit.org.roles import Role

from ..applications.docfixtures import make_application, make_batch
from ..applications.matrix_documents import SEES

LEADERS = {Role.BRANCH_LEADER, Role.CITY_LEADER, Role.PROVINCE_LEADER}


def form_kwargs(w, rel):
    return {"pk": make_application(w, rel).pk}


def batch_kwargs(w, rel):
    agency = {"own": w.branch_a, "same_county": w.branch_a, "other_county": w.branch_b,
              "other_city": w.branch_sjz}[rel]
    return {"pk": make_batch(w, agency).pk}


def issue_rule(role, rel):
    if role not in LEADERS:
        return 403
    return 302 if rel in SEES[role] else 404


MATRIX = {
    "applications:form_issue": (form_kwargs, issue_rule, "post"),
    "applications:batch_issue": (batch_kwargs, issue_rule, "post"),
}
