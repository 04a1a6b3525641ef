"""What the public page reads: campaigns, the enterprises on their lists and the final 评估/验收 results.

Public means no login, so nothing here goes through `access.scope` (there is no user): each function
selects only organisation fields (name, code, county, industry) and final, confirmed results. Never a
person's name, a phone number, an address, an opinion or a result not yet confirmed. Each is one query.
"""

from django.db.models import QuerySet
from django.http import Http404

from cpaudit.applications.models import FINAL, RESULT_LABELS, Application, Kind
from cpaudit.campaigns.models import Campaign, Enrolment


def public_campaigns() -> QuerySet:
    return Campaign.objects.order_by("-year", "slug").only("slug", "name", "year", "status", "document_number")


def public_campaign(slug: str) -> Campaign:
    campaign = public_campaigns().filter(slug=slug).first()
    if campaign is None:
        raise Http404("审核批次不存在")
    return campaign


def listed_enterprises(campaign: Campaign) -> list[dict]:
    """The campaign's list: name, USCC, county, industry (organisation fields only)."""
    return list(Enrolment.objects.filter(campaign=campaign).order_by(
        "enterprise__county_id", "enterprise__name").values(
        "enterprise__name", "enterprise__uscc", "enterprise__county_id", "enterprise__county__name",
        "enterprise__industry_id", "enterprise__industry__name"))


def final_results(campaign: Campaign) -> list[dict]:
    """Confirmed 评估/验收 results (通过/未通过 with the organizer leader's confirmation): nothing in the chain."""
    rows = Application.objects.filter(campaign=campaign, status__in=FINAL, passed__isnull=False).order_by(
        "kind", "enrolment__enterprise__county_id", "enrolment__enterprise__name").values(
        "kind", "passed", "result_date", "enrolment__enterprise__name", "enrolment__enterprise__county__name")
    labels = dict(Kind.choices)
    result = []
    for row in rows:
        kind = row["kind"]
        result.append({"kind": labels[kind], "result": RESULT_LABELS[kind][row["passed"]],
                       "date": row["result_date"], "name": row["enrolment__enterprise__name"],
                       "county": row["enrolment__enterprise__county__name"]})
    return result

