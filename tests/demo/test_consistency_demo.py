"""The consistency checks on the demo (cpaudit.demo.progress_figures / progress_options): the clean demo
data gives nothing but what it plants — one complete audit whose after-implementation water use does
not show the savings its options claim and whose stated investment total is not its option list's
(its 验收 passes all the same: the issue's real case), and the audit whose 评估 failed after it had
implemented its 中/高费 options."""

import pytest

from cpaudit.applications.models import Application, Kind, Status
from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.demo import data as demo
from cpaudit.progress.selectors.consistency import flags_for_enrolments
from cpaudit.progress.services import consistency as checks

from .test_progress_demo import TODAY, run_load


@pytest.fixture
def loaded(db):
    return run_load()


def _flagged(campaign) -> dict[int, list]:
    ids = list(Enrolment.objects.filter(campaign=campaign).values_list("pk", flat=True))
    return {pk: flags for pk, flags in flags_for_enrolments(ids).items() if flags}


def test_the_demo_flags_only_what_it_plants(loaded):
    assert _flagged(Campaign.objects.get(slug=demo.HISTORY_SLUG)) == {}
    flagged = _flagged(Campaign.objects.get(slug=f"byd{TODAY.year}"))
    planted = [pk for pk, flags in flagged.items()
               if {f.code for f in flags} == {checks.BALANCE_MISMATCH, checks.INVESTMENT_MISMATCH}]
    assert len(planted) == 1 and len(flagged[planted[0]]) == 2
    balance = next(f for f in flagged[planted[0]] if f.code == checks.BALANCE_MISMATCH)
    assert balance.message.startswith("新鲜水用量：") and "实施后数据未体现所申报的节约量" in balance.message
    acceptance = Application.objects.get(enrolment_id=planted[0], kind=Kind.ACCEPTANCE)
    assert acceptance.status == Status.PASSED
    for pk in set(flagged) - set(planted):
        assert {f.code for f in flagged[pk]} == {checks.IMPLEMENTED_BEFORE_EVALUATION}, flagged[pk]
        assert Application.objects.filter(enrolment_id=pk, kind=Kind.EVALUATION, status=Status.FAILED).exists()
        assert not Application.objects.filter(enrolment_id=pk, kind=Kind.EVALUATION, status=Status.PASSED).exists()
    assert len(flagged) <= 2

