"""Who must stand aside for an enterprise (回避): the one question the panel draw, the application
chain and the spot checks ask. Only CURRENT declarations count (a superseded version is history);
for experts the employer text is a safety net for a tie nobody declared.

Each function costs one or two queries whatever the size of the pool.
"""

from django.db.models import Q, Subquery

from cpaudit.registry.models import ConsultingAgency, Enterprise

from .models import Tie


def _tie_reason(kind_label: str, enterprise_name: str | None, agency_name: str | None, detail: str) -> str:
    party = f"本企业（{enterprise_name}）" if enterprise_name else f"本企业委托的咨询机构（{agency_name}）"
    text = f"已申报与{party}存在利益关系：{kind_label}"
    return f"{text}（{detail}）" if detail else text


def _party_q(enterprise_id, consulting_agency_id) -> Q:
    q = Q(enterprise_id=enterprise_id)
    if consulting_agency_id:
        q |= Q(consulting_agency_id=consulting_agency_id)
    return q


def _ties(enterprise_id, consulting_agency_id, **subject):
    return (Tie.objects.filter(_party_q(enterprise_id, consulting_agency_id), declaration__is_current=True,
                               **subject)
            .select_related("enterprise", "consulting_agency", "declaration")
            .order_by("declaration_id", "pk"))


def expert_conflicts(enterprise_id, consulting_agency_id) -> dict[int, str]:
    """expert id → why that expert must stand aside for this enterprise (and its consulting agency)."""
    from cpaudit.experts.models import Expert

    reasons: dict[int, list[str]] = {}
    for tie in _ties(enterprise_id, consulting_agency_id, declaration__expert__isnull=False):
        reasons.setdefault(tie.declaration.expert_id, []).append(_tie_reason(
            tie.get_kind_display(), tie.enterprise.name if tie.enterprise_id else None,
            tie.consulting_agency.name if tie.consulting_agency_id else None, tie.detail))
    # The employer as typed may add a department ("XX有限公司技术中心"): a name contained in it counts.
    employer_q = Q(employer__contains=Subquery(Enterprise.objects.filter(pk=enterprise_id).values("name")[:1]))
    if consulting_agency_id:
        employer_q |= Q(employer__contains=Subquery(
            ConsultingAgency.objects.filter(pk=consulting_agency_id).values("name")[:1]))
    for expert_id, employer in Expert.objects.filter(employer_q).values_list("pk", "employer"):
        reasons.setdefault(expert_id, []).append(f"工作单位为{employer}")
    return {expert_id: "；".join(texts) for expert_id, texts in sorted(reasons.items())}


def user_conflict(user, enterprise_id, consulting_agency_id) -> str | None:
    """Why `user` must recuse themselves from this enterprise's matters, from their current declaration;
    None when they declared no tie to the enterprise or its consulting agency."""
    if getattr(user, "pk", None) is None or getattr(user, "is_system", False):
        return None
    texts = [_tie_reason(tie.get_kind_display(), tie.enterprise.name if tie.enterprise_id else None,
                         tie.consulting_agency.name if tie.consulting_agency_id else None, tie.detail)
             for tie in _ties(enterprise_id, consulting_agency_id, declaration__user_id=user.pk)]
    return "；".join(texts) or None
