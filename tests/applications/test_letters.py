"""The covering letters say what happened: the enterprises applied to their branch; who organizes each
review by management level; the province is asked to organize only the 省管 ones."""

from cpaudit.applications.models import Kind, Level
from cpaudit.applications.services.batches import default_letter


def test_a_branch_letter_says_the_enterprises_applied_to_it_and_who_organizes(world):
    text = default_letter(world.branch_a, world.campaign, Kind.EVALUATION, 3,
                          [Level.BRANCH, Level.CITY, Level.PROVINCE])
    assert "3家企业" in text and "向我局提出了清洁生产审核评估书面申请" in text
    assert "其他企业1家，由我局" in text and "市管企业1家，请市局组织评估" in text
    assert "省管企业1家，请市局报请省生态环境厅组织评估" in text


def test_a_city_letter_asks_the_province_only_for_provincial_enterprises(world):
    text = default_letter(world.baoding, world.campaign, Kind.ACCEPTANCE, 2, [Level.BRANCH, Level.CITY])
    assert "省管" not in text and "请省生态环境厅组织" not in text
    assert "其他企业1家，由所在县（市、区）生态环境分局组织验收" in text
    assert "市管企业1家，由我局组织验收" in text
    text = default_letter(world.baoding, world.campaign, Kind.ACCEPTANCE, 1, [Level.PROVINCE])
    assert "省管企业1家，请省生态环境厅组织验收，我局协助实施" in text


def test_the_letter_cites_the_campaign_s_notice(world):
    text = default_letter(world.branch_a, world.campaign, Kind.EVALUATION, 1, [Level.BRANCH])
    assert world.campaign.name in text  # no notice recorded: the campaign and its list
    world.campaign.notice_title, world.campaign.notice_number = "关于加快推进实施清洁生产审核工作的通知", "保环办函〔2020〕45号"
    text = default_letter(world.branch_a, world.campaign, Kind.EVALUATION, 1, [Level.BRANCH])
    assert text.startswith("根据《关于加快推进实施清洁生产审核工作的通知》（保环办函〔2020〕45号）要求，")
