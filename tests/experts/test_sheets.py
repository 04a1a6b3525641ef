"""Score sheets keep to what their review can judge, and say where their items come from."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cpaudit.experts import services
from cpaudit.experts.models import EXAMPLE_LABEL, ScoreSheet
from cpaudit.org.roles import Role
from cpaudit.progress.steps import stage_name

from .helpers import organizing, put_on_panel

# Words that only make sense once the 中/高费 options are implemented.
AFTER_EVALUATION = ("已实施", "实施效果", "实施后", "绩效", "验收", "持续清洁生产")


def _defaults():
    return {s.kind: s for s in ScoreSheet.objects.filter(campaign=None).prefetch_related("items")}


def test_every_default_evaluation_item_judges_stages_1_to_5_only(db):
    items = list(_defaults()["evaluation"].items.all())
    assert items
    for item in items:
        assert item.stages and set(item.stages) <= {1, 2, 3, 4, 5}, item.text
        assert not any(word in item.text for word in AFTER_EVALUATION), item.text
    covered = {n for item in items for n in item.stages}
    assert covered == {1, 2, 3, 4, 5}  # and every stage up to the feasibility analysis is judged


def test_every_default_acceptance_item_judges_implementation_or_its_effect(db):
    items = list(_defaults()["acceptance"].items.all())
    assert items
    for item in items:
        assert item.stages and set(item.stages) <= {6, 7}, item.text
    assert {n for item in items for n in item.stages} == {6, 7}
    assert stage_name(6) == "方案的实施" and stage_name(7) == "持续清洁生产"


def test_default_sheets_are_labelled_as_examples(db):
    for sheet in _defaults().values():
        assert sheet.is_example and sheet.source == "" and "示例" in sheet.name
        assert sum(i.max_points for i in sheet.items.all() if not i.is_veto) == 100


def test_a_sheet_refuses_items_outside_its_review(world):
    keeper = world.users[Role.PROVINCE_STAFF]
    with pytest.raises(ValidationError) as exc:
        services.scoresheet_save(actor=keeper, campaign=world.campaign, kind="evaluation", name="本省评估表",
                                 pass_mark=60, items=[{"text": "方案实施", "max_points": 100, "stages": [5, 6]}])
    assert exc.value.message_dict["items"] == [
        "第1项：评估评分表只评价审核第1至5阶段（审核准备至方案可行性分析）的工作，不能评价第6阶段"]
    with pytest.raises(ValidationError):
        services.scoresheet_save(actor=keeper, campaign=world.campaign, kind="acceptance", name="本省验收表",
                                 pass_mark=60, items=[{"text": "审核重点", "max_points": 100, "stages": [2]}])


def test_a_cited_source_is_kept_and_shown_instead_of_the_example_label(world, login):
    keeper = world.users[Role.PROVINCE_STAFF]
    sheet = services.scoresheet_save(
        actor=keeper, campaign=world.campaign, kind="evaluation", name="河北省评估评分表", pass_mark=70,
        source="某省生态环境厅《清洁生产审核评估工作细则》附表1（假设的出处，仅测试用）",
        items=[{"text": "审核准备", "max_points": 40, "stages": [1]}, {"text": "可行性分析", "max_points": 60,
                                                                    "stages": [5]}])
    assert not sheet.is_example and [i.stages for i in sheet.items.order_by("order")] == [[1], [5]]
    html = login(keeper).get(reverse("experts:scoresheet_list")).content.decode()
    assert "出处：某省生态环境厅《清洁生产审核评估工作细则》附表1" in html
    assert html.count(EXAMPLE_LABEL) == 2  # only the two default sheets
    assert "审核准备、预审核、审核、方案的产生和筛选、可行性分析" in html  # the default 评估 report item's stages


def test_the_experts_scoring_page_says_the_sheet_is_an_example(world, login):
    from cpaudit.experts.models import Expert

    application = organizing(world, "own")
    expert = Expert.objects.create(name="示例专家", employer="某大学", environment=True, user=world.users[Role.EXPERT])
    panel = put_on_panel(application, [expert], world.users[Role.BRANCH_STAFF])
    client = login(world.users[Role.EXPERT])
    html = client.get(reverse("experts:score", args=[panel.members.get().pk])).content.decode()
    assert EXAMPLE_LABEL in html and "评价范围：审核第1至5阶段（审核准备至方案可行性分析）的工作" in html


def test_migration_rewrites_a_default_sheet_only_while_nobody_scored_on_it(world):
    import importlib

    from django.apps import apps
    from django.utils import timezone

    from cpaudit.experts.models import Expert, Score

    migration = importlib.import_module("cpaudit.experts.migrations.0005_sheet_source_and_stages")
    sheets = _defaults()
    for sheet in sheets.values():  # as migration 0003 left them
        sheet.items.update(stages=[])
        sheet.name = "清洁生产审核评估评分表（默认）"
        sheet.save()
    application = organizing(world, "own")
    expert = Expert.objects.create(name="已评专家", employer="某大学", environment=True)
    member = put_on_panel(application, [expert], world.users[Role.BRANCH_STAFF]).members.get()
    Score.objects.create(member=member, points={}, total=0, submitted_at=timezone.now())
    migration.rewrite(apps, None)
    evaluation, acceptance = ScoreSheet.objects.get(pk=sheets["evaluation"].pk), ScoreSheet.objects.get(
        pk=sheets["acceptance"].pk)
    assert evaluation.name.endswith("（默认）") and all(i.stages == [] for i in evaluation.items.all())
    assert acceptance.name == "清洁生产审核验收评分表（示例）" and all(i.stages for i in acceptance.items.all())
