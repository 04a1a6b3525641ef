"""Who acts: a logged-in user, or a named system actor when a command runs without --as-user."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """A command or the worker acting in its own name; recorded as such in the log."""

    name: str
    pk = None
    id = None
    is_authenticated = True
    is_system = True
    role = "system"
    agency = None

    @property
    def display_name(self) -> str:
        return f"系统（{self.name}）"

    def __str__(self) -> str:
        return self.display_name


def is_system(actor) -> bool:
    """A command or the worker (a SystemActor), not a person."""
    return getattr(actor, "is_system", False)


def actor_fields(actor) -> dict:
    """The actor's identity as the log stores it: frozen at the time of the action."""
    if actor is None:
        return {"actor": None, "actor_name": "匿名", "actor_role": "", "actor_agency": ""}
    if getattr(actor, "is_system", False):
        return {"actor": None, "actor_name": actor.display_name, "actor_role": "system", "actor_agency": ""}
    # An enterprise or consultant user is recorded with its firm, as an official is with its agency.
    agency = (getattr(actor, "agency", None) or getattr(actor, "enterprise", None)
              or getattr(actor, "consulting_agency", None))
    return {
        "actor": actor,
        "actor_name": actor.get_username(),
        "actor_role": actor.role or "",
        "actor_agency": str(agency) if agency else "",
    }
