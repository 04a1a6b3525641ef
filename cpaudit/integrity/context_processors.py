"""The declaration banner: a government user or expert whose declaration of interest is missing, has
expired or runs out soon sees it on every page (one or two queries per page, only for those roles)."""

from .requirements import declaration_status


def declaration_banner(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"declaration_banner": None}
    status = declaration_status(user)
    return {"declaration_banner": status if status is not None and status.warning else None}
