"""The demo's declarations of interest: every demo government user and every expert of the pool files
one (无利益关系) through the declaration service, as the person would, before the demo has them decide.

`declare_demo_people` covers the accounts and experts that exist when it runs (the loader calls it after
creating the accounts); `file_demo_declaration` is for a person the demo creates later (a branch's
stand-in account, an expert added to the pool). Both leave alone whoever already has a valid
declaration, so a second `load-demo` files nothing.
"""

from cpaudit.core.actors import SystemActor

from .requirements import declaration_status, needs_declaration, status_of
from .services import current_declaration, declaration_submit

NOTE = "演示数据：无利益关系"


def file_demo_declaration(person) -> bool:
    """Declare for a demo user (acting as that user) or an expert of the pool (as its login, else as the
    loader recording it for the expert). True when a declaration was filed."""
    from cpaudit.experts.models import Expert

    if isinstance(person, Expert):
        if status_of(current_declaration(expert=person)).valid:
            return False
        if person.user_id:
            declaration_submit(actor=person.user, ties=[], note=NOTE)
        else:
            declaration_submit(actor=SystemActor("load-demo"), expert=person, ties=[], note=NOTE)
        return True
    if not needs_declaration(person):
        return False
    status = declaration_status(person)
    if status.valid or status.no_expert:  # an expert login files through its pool record
        return False
    declaration_submit(actor=person, ties=[], note=NOTE)
    return True


def declare_demo_people() -> int:
    """Every demo government user and every expert of the pool without a valid declaration files one;
    returns how many were filed."""
    from cpaudit.experts.models import Expert
    from cpaudit.org.models import User

    filed = 0
    for user in User.objects.filter(is_demo=True, is_active=True).select_related("agency").order_by("pk"):
        filed += file_demo_declaration(user)
    for expert in Expert.objects.select_related("user").order_by("pk"):
        filed += file_demo_declaration(expert)
    return filed
