"""A circular end to end through the pages: drafted from the scorecards by city staff, edited, submitted,
returned once, approved and issued by the city leader as sealed Word and PDF that verify as 有效; and
the public section shows it only when marked for the public."""

import re

import pytest
from django.urls import reverse

from cpaudit.assessment.models import Circular, CircularStatus
from cpaudit.core.models import ActionLog
from cpaudit.disclosure.sections import sections
from cpaudit.documents.models import IssuedDocument
from cpaudit.documents.verify import verify_bytes
from cpaudit.org.roles import Role
from tests.factories import make_seal_keys

from .helpers import TODAY, craft

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(world, settings):
    settings.CPAUDIT_TODAY = TODAY
    craft(world)
    make_seal_keys(world.baoding)
    return world


def test_draft_edit_return_approve_issue_verify(ready, client):
    w = ready
    client.force_login(w.users[Role.CITY_STAFF])
    response = client.post(reverse("assessment:circular_draft"), {"campaign": w.campaign.slug, "month": "2020-09"})
    circular = Circular.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assessment:circular_detail",
                                                                           args=[circular.pk])
    # Drafted from the scorecards: every branch with its figures, the lagging one named with its score.
    names = [row[0] for row in circular.figures["rows"]]
    assert {"竞秀区", "莲池区"} <= set(names)
    assert [x["name"] for x in circular.figures["lagging"]] == ["竞秀区"]
    assert "竞秀区（65.0分）" in circular.opening
    assert any(e["name"] == "同县测试企业有限公司" for e in circular.figures["enterprises"])

    url = reverse("assessment:circular_detail", args=[circular.pk])
    form = {"title": circular.title, "number": "保环办函〔2020〕75号", "addressee": circular.addressee,
            "opening": circular.opening + "\n竞秀区要认真整改。", "requirements": circular.requirements, "for_public": "on"}
    assert client.post(url, {**form, "action": "submit"}).status_code == 302
    circular.refresh_from_db()
    assert circular.status == CircularStatus.SUBMITTED and circular.for_public and "认真整改" in circular.opening

    leader = client
    leader.force_login(w.users[Role.CITY_LEADER])
    assert leader.post(url, {"action": "return", "reason": "请补充滞后企业名单"}).status_code == 302
    circular.refresh_from_db()
    assert circular.status == CircularStatus.DRAFT and circular.return_reason == "请补充滞后企业名单"

    client.force_login(w.users[Role.CITY_STAFF])
    client.post(url, {**form, "action": "submit"})
    leader.force_login(w.users[Role.CITY_LEADER])
    page = leader.get(url).content.decode()
    seen = re.search(r'name="seen" value="([0-9a-f]{64})"', page).group(1)
    assert leader.post(url, {"action": "issue", "seen": seen}).status_code == 302
    circular.refresh_from_db()
    assert circular.status == CircularStatus.ISSUED and circular.issued_by == w.users[Role.CITY_LEADER]
    assert circular.content["number"] == "保环办函〔2020〕75号"
    docs = {d.format: d for d in IssuedDocument.objects.filter(kind="circular", object_id=circular.pk)}
    assert set(docs) == {"pdf", "docx"}
    for fmt in ("pdf", "docx"):
        data = client.get(reverse("assessment:circular_download", args=[circular.pk, fmt])).content
        verdict = verify_bytes(data)
        assert verdict.valid and verdict.line().startswith("有效\t") and "保定市生态环境局" in verdict.line()
        assert not verify_bytes(data + b" ").valid
    actions = list(ActionLog.objects.filter(object_type="assessment.circular").values_list("action", flat=True))
    assert actions == ["assessment.circular.drafted", "assessment.circular.updated", "assessment.circular.submitted",
                       "assessment.circular.returned", "assessment.circular.submitted", "assessment.circular.issued"]


def test_a_stale_approval_is_refused(ready):
    from cpaudit.assessment import services
    from cpaudit.core.errors import InvalidState

    w = ready
    circular = services.circular_draft(actor=w.users[Role.CITY_STAFF], campaign=w.campaign,
                                       month=__import__("datetime").date(2020, 9, 1))
    services.circular_save(actor=w.users[Role.CITY_STAFF], circular=circular, data={"number": "保环办函〔2020〕76号"})
    services.circular_submit(actor=w.users[Role.CITY_STAFF], circular=circular)
    with pytest.raises(InvalidState, match="已更新"):
        services.circular_issue(actor=w.users[Role.CITY_LEADER], circular=circular, seen="0" * 64)
    with pytest.raises(Exception, match="无权"):
        services.circular_issue(actor=w.users[Role.CITY_STAFF], circular=circular)


def test_the_public_section_lists_only_issued_circulars_marked_public(ready):
    w = ready
    section = next(s for s in sections() if s.key == "circulars")
    base = {"campaign": w.campaign, "month": "2020-09-01", "agency": w.baoding, "prepared_by": w.users[Role.CITY_STAFF],
            "prepared_at": "2020-10-01T10:00:00+08:00"}
    Circular.objects.create(title="公开的", number="甲1号", status=CircularStatus.ISSUED, for_public=True,
                            issued_at="2020-10-02T10:00:00+08:00", **base)
    Circular.objects.create(title="不公开的", number="甲2号", status=CircularStatus.ISSUED, **base)
    Circular.objects.create(title="草稿", number="甲3号", for_public=True, **base)
    assert [c.title for c in section.context(w.campaign)["circulars"]] == ["公开的"]
