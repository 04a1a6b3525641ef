"""The default score sheets (campaign empty) for 评估 and 验收, after the 2018 national guide
《清洁生产审核评估与验收指南》(环办科技〔2018〕5号): scored items summing to 100 points, veto items
that fail the application whatever the points, pass mark 60 (a province may set its own per campaign)."""

from django.db import migrations

EVALUATION = [
    ("清洁生产审核组织与准备：领导重视，审核小组职责明确，工作计划、宣传培训到位", 10),
    ("预审核：企业现状调研全面，能源资源消耗及污染物产生排放分析准确，审核重点确定合理", 15),
    ("清洁生产目标：目标科学、量化、可达，与行业清洁生产评价指标对标", 10),
    ("审核：物料平衡、水平衡、能量平衡测算准确，废物产生原因分析透彻", 15),
    ("方案的产生与筛选：方案来源充分，无/低费方案及时实施，中/高费方案技术、环境、经济可行性分析可信", 20),
    ("方案实施与绩效：已实施方案的污染物削减、节能降耗效果核算真实", 15),
    ("持续清洁生产：管理制度与持续清洁生产计划可行，审核报告编制规范、数据翔实", 15),
]
EVALUATION_VETO = [
    "审核过程弄虚作假，提供虚假数据或材料",
    "存在未完成整改的重大环境违法行为",
]
ACCEPTANCE = [
    ("中/高费方案实施情况：按审核报告计划实施，实施内容与报告一致", 25),
    ("清洁生产目标完成情况：审核报告确定的近期目标全部实现", 20),
    ("实施效果核实：污染物减排量、能耗物耗降低量有监测报告或核算依据", 20),
    ("清洁生产水平：对照清洁生产评价指标体系或行业先进水平达到的等级", 15),
    ("持续清洁生产：清洁生产管理制度建立并运行，持续改进机制有效", 10),
    ("验收材料：验收报告、监测报告及方案实施证明材料完整规范", 10),
]
ACCEPTANCE_VETO = [
    "验收过程弄虚作假，提供虚假数据或材料",
    "污染物排放未稳定达标或超过总量控制指标",
    "存在未完成整改的重大环境违法行为",
]


def create(apps, schema_editor):
    ScoreSheet = apps.get_model("experts", "ScoreSheet")
    ScoreItem = apps.get_model("experts", "ScoreItem")
    for kind, name, items, vetoes in [
        ("evaluation", "清洁生产审核评估评分表（默认）", EVALUATION, EVALUATION_VETO),
        ("acceptance", "清洁生产审核验收评分表（默认）", ACCEPTANCE, ACCEPTANCE_VETO),
    ]:
        sheet, created = ScoreSheet.objects.get_or_create(kind=kind, campaign=None,
                                                          defaults={"name": name, "pass_mark": 60})
        if not created:
            continue
        rows = [ScoreItem(sheet=sheet, order=n, text=text, max_points=points, is_veto=False)
                for n, (text, points) in enumerate(items, start=1)]
        rows += [ScoreItem(sheet=sheet, order=len(items) + n, text=text, max_points=0, is_veto=True)
                 for n, text in enumerate(vetoes, start=1)]
        ScoreItem.objects.bulk_create(rows)


def remove(apps, schema_editor):
    ScoreSheet = apps.get_model("experts", "ScoreSheet")
    ScoreSheet.objects.filter(campaign=None).delete()


class Migration(migrations.Migration):
    dependencies = [("experts", "0002_panel_eligible_pools")]
    operations = [migrations.RunPython(create, remove)]
