"""Score sheets say where their items come from (`source`) and which audit stages each item judges
(`stages`); the default sheets become examples that keep to their review's stages.

The items of migration 0003 were not taken from a published score sheet (the 2018 guide
《清洁生产审核评估与验收指南》 was not at hand), and its 评估 sheet scored 方案实施与绩效 and 持续清洁生产,
work that does not exist yet at 评估 (after the feasibility analysis, before the 中/高费 options are
implemented). Here the default sheets are rewritten as examples, named so, with `source` empty: 评估
items judge stages 1–5 only, 验收 items the implementation, its effect and continued cleaner
production (stages 6–7). A default sheet that experts already scored on is left as it is (its scores
refer to its items); it is still shown as an example, since its `source` is empty.
"""

from django.db import migrations, models

# (text, points, stages); vetoes have no points.
EVALUATION = [
    ("审核准备：领导支持，审核小组组成与职责明确，工作计划可行，宣传培训有记录", 10, [1]),
    ("预审核：现状调研和现场考察全面，产排污状况评价准确，审核重点确定合理，清洁生产目标量化、可达", 20, [2]),
    ("审核：审核重点的物料平衡、水平衡、能量平衡测算准确，废弃物产生原因分析透彻", 20, [3]),
    ("方案的产生和筛选：方案来源充分，分类汇总与筛选方法得当，无/低费方案清单完整，中期审核报告规范", 15, [4]),
    ("可行性分析：中/高费方案的市场调查、技术评估、环境评估、经济评估依据充分、结论可信", 20, [5]),
    ("推荐方案：推荐的中/高费方案及其实施计划合理、可行，预期效益测算有据", 10, [5]),
    ("审核报告（送评估稿）：编制规范，数据真实、翔实，如实反映第1至5阶段的审核过程", 5, [1, 2, 3, 4, 5]),
]
EVALUATION_VETO = [
    ("审核过程弄虚作假，提供虚假数据或材料", [1, 2, 3, 4, 5]),
    ("预审核隐瞒污染物超标排放或超总量排放情况", [2]),
]
ACCEPTANCE = [
    ("中/高费方案实施：评估通过的中/高费方案已按计划实施，未实施的说明理由", 25, [6]),
    ("实施效果核实：已实施方案的节能、降耗、减污、增效绩效有实施前后监测报告或核算依据", 25, [6]),
    ("清洁生产目标：审核确定的清洁生产目标已经实现", 15, [6]),
    ("清洁生产水平：方案实施后对照清洁生产评价指标体系或行业先进水平达到的等级", 10, [6]),
    ("持续清洁生产：清洁生产组织和管理制度已建立并运行，持续清洁生产计划可行", 15, [7]),
    ("验收材料：审核报告（终稿）或验收报告规范，方案实施的证明材料完整", 10, [7]),
]
ACCEPTANCE_VETO = [
    ("验收材料弄虚作假，提供虚假数据或材料", [6, 7]),
    ("方案实施后污染物排放仍未稳定达标或超过总量控制指标", [6]),
]
NAMES = {"evaluation": "清洁生产审核评估评分表（示例）", "acceptance": "清洁生产审核验收评分表（示例）"}


def rewrite(apps, schema_editor):
    ScoreSheet = apps.get_model("experts", "ScoreSheet")
    ScoreItem = apps.get_model("experts", "ScoreItem")
    Score = apps.get_model("experts", "Score")
    for kind, items, vetoes in [("evaluation", EVALUATION, EVALUATION_VETO),
                                ("acceptance", ACCEPTANCE, ACCEPTANCE_VETO)]:
        sheet = ScoreSheet.objects.filter(kind=kind, campaign=None).first()
        if sheet is None:
            sheet = ScoreSheet.objects.create(kind=kind, campaign=None, name=NAMES[kind], pass_mark=60)
        elif Score.objects.filter(member__panel__sheet=sheet).exists():
            continue
        sheet.name, sheet.source = NAMES[kind], ""
        sheet.save()
        ScoreItem.objects.filter(sheet=sheet).delete()
        rows = [ScoreItem(sheet=sheet, order=n, text=text, max_points=points, is_veto=False, stages=stages)
                for n, (text, points, stages) in enumerate(items, start=1)]
        rows += [ScoreItem(sheet=sheet, order=len(items) + n, text=text, max_points=0, is_veto=True, stages=stages)
                 for n, (text, stages) in enumerate(vetoes, start=1)]
        ScoreItem.objects.bulk_create(rows)


class Migration(migrations.Migration):

    dependencies = [
        ('experts', '0004_panel_reason'),
    ]

    operations = [
        migrations.AddField(
            model_name='scoreitem',
            name='stages',
            field=models.JSONField(blank=True, default=list, verbose_name='评价的审核阶段'),
        ),
        migrations.AddField(
            model_name='scoresheet',
            name='source',
            field=models.CharField(blank=True, help_text='评分项所取自的已发布文件（名称、文号、附表）；为空的默认评分表是示例', max_length=300, verbose_name='出处'),
        ),
        migrations.RunPython(rewrite, migrations.RunPython.noop),
    ]
