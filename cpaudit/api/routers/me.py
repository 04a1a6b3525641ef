"""/me: who the token acts as."""

from ninja import Router, Schema

from ..errors import responses

router = Router(tags=["当前用户"])


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_label: str
    agency: str | None
    enterprise: str | None
    consulting_agency: str | None


@router.get("/me", response=responses(MeOut), summary="令牌所属用户、角色与单位")
def me(request):
    user = request.user
    return {"username": user.username, "full_name": user.full_name, "role": user.role,
            "role_label": user.get_role_display(), "agency": str(user.agency) if user.agency_id else None,
            "enterprise": str(user.enterprise) if user.enterprise_id else None,
            "consulting_agency": str(user.consulting_agency) if user.consulting_agency_id else None}
