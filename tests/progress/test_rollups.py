"""Roll-ups of options and benefits: correct sums by every dimension, counting rules, fixed query count."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cpaudit.campaigns.models import AuditMode, Enrolment
from cpaudit.org import access
from cpaudit.org.roles import Role
from cpaudit.progress.models import BENEFITS, Option, OptionCategory, OptionStatus
from cpaudit.progress.services import rollups
from cpaudit.registry.models import Enterprise, Industry
from tests.factories import make_campaign, make_uscc

S, C = OptionStatus, OptionCategory
D = Decimal


@pytest.fixture
def data(world, options_make):
    """Seven options over four enterprises, three industries (大类 15, 22), two campaigns."""
    Enterprise.objects.filter(pk=world.enterprises["other_county"].pk).update(industry_id="2221")
    c2021 = make_campaign(slug="c2021", year=2021)
    enrol = {rel: Enrolment.objects.get(enterprise=world.enterprises[rel], campaign=world.campaign)
             for rel in ("own", "same_county", "other_county", "other_city")}
    own_2021 = Enrolment.objects.create(campaign=c2021, enterprise=world.enterprises["own"], mode=AuditMode.SELF)
    make = options_make
    make(enrol["own"], name="A", category=C.HIGH, status=S.IMPLEMENTED, investment=100, actual_date=dt.date(2020, 5, 1),
         expected_water_t=1000, achieved_water_t=1200, expected_energy_tce=10, achieved_energy_tce=8)
    make(enrol["own"], name="B", status=S.IMPLEMENTING, investment=20, expected_water_t=500, achieved_water_t=400)
    make(enrol["own"], name="C", status=S.ABANDONED, investment=5, expected_water_t=999, achieved_water_t=999)
    make(enrol["same_county"], name="D", status=S.IMPLEMENTED, investment=30, actual_date=dt.date(2020, 5, 1),
         expected_cod_t=D("2"), achieved_cod_t=D("1.5"), expected_economic_wan=10, achieved_economic_wan=12)
    make(enrol["other_county"], name="E", category=C.HIGH, status=S.PROPOSED, investment=60, expected_water_t=300)
    make(enrol["other_city"], name="F", status=S.IMPLEMENTED, investment=1, actual_date=dt.date(2020, 5, 1),
         expected_water_t=10, achieved_water_t=10)
    make(own_2021, name="G", category=C.HIGH, status=S.SCREENED, investment=70, expected_energy_tce=5)
    return world


def _oracle(options, key) -> dict:
    """The same sums computed row by row in Python: {key: {field: total}}."""
    result = {}
    for o in options:
        if o.status == S.ABANDONED:
            continue
        row = result.setdefault(key(o), {"n_options": 0, "n_implemented": 0, "investment": D(0),
                                         "investment_implemented": D(0),
                                         **{f"{k}_{s}": D(0) for s, _ in BENEFITS for k in ("expected", "achieved")}})
        implemented = o.status == S.IMPLEMENTED
        row["n_options"] += 1
        row["n_implemented"] += implemented
        row["investment"] += o.investment
        row["investment_implemented"] += o.investment if implemented else 0
        for suffix, _ in BENEFITS:
            row[f"expected_{suffix}"] += getattr(o, f"expected_{suffix}") or 0
            if implemented:
                row[f"achieved_{suffix}"] += getattr(o, f"achieved_{suffix}") or 0
    return result


KEYS = {
    "enterprise": lambda o: o.enrolment.enterprise_id,
    "county": lambda o: o.enrolment.enterprise.county_id,
    "industry": lambda o: o.enrolment.enterprise.industry_id[:2],
    "industry_group": lambda o: {"1511": "酿造", "2221": "造纸"}.get(o.enrolment.enterprise.industry_id, "other"),
    "campaign": lambda o: o.enrolment.campaign.slug,
}


@pytest.mark.parametrize("dimension", rollups.DIMENSIONS)
def test_sums_match_a_row_by_row_computation(data, dimension):
    rows = rollups.benefits_by(Option.objects.all(), dimension)
    options = Option.objects.select_related("enrolment__enterprise", "enrolment__campaign")
    expected = _oracle(options, KEYS[dimension])
    assert {r["key"] for r in rows} == set(expected)
    for row in rows:
        for field, value in expected[row["key"]].items():
            assert row[field] == value, (row["key"], field)


def test_by_enterprise(data):
    rows = {r["label"]: r for r in rollups.benefits_by(Option.objects.all(), "enterprise")}
    own = rows["自有测试企业有限公司"]
    assert own["key"] == data.enterprises["own"].pk
    assert (own["n_options"], own["n_implemented"]) == (3, 1)  # A, B, G; C abandoned
    assert own["investment"] == D("190")
    assert own["expected_water_t"] == D("1500") and own["achieved_water_t"] == D("1200")  # B not yet achieved
    assert own["expected_energy_tce"] == D("15") and own["achieved_energy_tce"] == D("8")
    assert own["expected_cod_t"] == D("0")


def test_by_county(data):
    rows = rollups.benefits_by(Option.objects.all(), "county")
    assert [r["key"] for r in rows] == ["130102", "130602", "130606"]  # by code
    jingxiu = rows[1]
    assert (jingxiu["label"], jingxiu["city"]) == ("竞秀区", "保定市")
    assert jingxiu["n_options"] == 4 and jingxiu["investment"] == D("220")
    assert jingxiu["achieved_cod_t"] == D("1.5") and jingxiu["achieved_economic_wan"] == D("12")


def test_by_industry_uses_the_major_group_and_its_name(data, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        rows = rollups.benefits_by(Option.objects.all(), "industry")
    assert [(r["key"], r["label"]) for r in rows] == [
        ("15", Industry.objects.get(code="15").name), ("22", Industry.objects.get(code="22").name)]
    assert rows[0]["label"] == "酒、饮料和精制茶制造业"
    assert rows[0]["n_options"] == 5 and rows[1]["n_options"] == 1
    assert rows[1]["expected_water_t"] == D("300") and rows[1]["achieved_water_t"] == D("0")


def test_by_industry_group_in_the_notice_order(data, world):
    Enterprise.objects.filter(pk=world.enterprises["other_city"].pk).update(industry_id="2411")  # 文具制造
    rows = rollups.benefits_by(Option.objects.all(), "industry_group")
    assert [(r["key"], r["label"]) for r in rows] == [("酿造", "酿造"), ("造纸", "造纸"), ("other", "其他")]
    assert [r["n_options"] for r in rows] == [4, 1, 1]
    assert rows[1]["expected_water_t"] == D("300")


def test_by_campaign(data):
    rows = rollups.benefits_by(Option.objects.all(), "campaign")
    assert [r["key"] for r in rows] == ["c2021", "c2020"]  # newest first
    assert rows[0]["n_options"] == 1 and rows[0]["expected_energy_tce"] == D("5")
    assert rows[1]["n_options"] == 5 and rows[1]["investment"] == D("211")


def test_unknown_dimension(data):
    with pytest.raises(ValueError):
        rollups.benefits_by(Option.objects.all(), "province")


def test_options_by_status(data):
    rows = rollups.options_by_status(Option.objects.all())
    assert len(rows) == len(C.values) * len(S.values)
    cells = {(r["category"], r["status"]): (r["n"], r["investment"]) for r in rows}
    assert cells[(C.HIGH, S.IMPLEMENTED)] == (1, D("100"))
    assert cells[(C.LOW, S.IMPLEMENTED)] == (2, D("31"))
    assert cells[(C.LOW, S.ABANDONED)] == (1, D("5"))  # abandoned ones are shown here
    assert cells[(C.HIGH, S.SCREENED)] == (1, D("70"))
    assert cells[(C.HIGH, S.ABANDONED)] == (0, D("0"))
    assert sum(n for n, _ in cells.values()) == Option.objects.count()
    assert rows[0]["category_label"] == "无/低费" and rows[0]["status_label"] == "提出"


def test_benefit_totals(data):
    totals = rollups.benefit_totals(Option.objects.all())
    assert (totals["n_options"], totals["n_implemented"]) == (6, 3)
    assert totals["investment"] == D("281") and totals["investment_implemented"] == D("131")
    water = next(b for b in totals["benefits"] if b["field"] == "water_t")
    assert water["label"] == "节水（吨/年）"
    assert (water["expected"], water["expected_implemented"], water["achieved"]) == (D("1810"), D("1010"), D("1210"))
    assert [b["field"] for b in totals["benefits"]] == [s for s, _ in BENEFITS]


def test_empty_queryset_gives_zeros(world):
    totals = rollups.benefit_totals(Option.objects.none())
    assert totals["n_options"] == 0 and all(b["achieved"] == 0 for b in totals["benefits"])
    assert rollups.benefits_by(Option.objects.none(), "county") == []
    assert all(r["n"] == 0 for r in rollups.options_by_status(Option.objects.none()))


def test_a_scoped_queryset_is_respected(data):
    branch = data.users[Role.BRANCH_STAFF]  # 竞秀区: own and same_county
    scoped = access.scope(branch, Option.objects.all())
    assert [r["key"] for r in rollups.benefits_by(scoped, "county")] == ["130602"]
    assert rollups.benefit_totals(scoped)["n_options"] == 4
    consultant = data.users[Role.CONSULTANT]  # only the entrusted 2020 audit of "own"
    scoped = access.scope(consultant, Option.objects.all())
    assert rollups.benefit_totals(scoped)["n_options"] == 2  # A, B
    assert rollups.benefits_by(scoped, "campaign")[0]["key"] == "c2020"


# --- fixed number of queries -------------------------------------------------------------------------

_n = itertools.count(1)


def _grow(world, enterprises: int, options_each: int):
    """More enterprises over several counties and industries, each with options in every status."""
    counties, industries = ["130602", "130606", "130102", "130682"], ["1511", "2221", "1713", "2710"]
    batch = next(_n)
    created = Enterprise.objects.bulk_create([
        Enterprise(name=f"规模企业{batch}-{i}", uscc=make_uscc(prefix="91" + counties[i % 4]),
                   county_id=counties[i % 4], address="测试路", legal_representative="张三",
                   industry_id=industries[i % 4]) for i in range(enterprises)])
    enrolments = Enrolment.objects.bulk_create([Enrolment(campaign=world.campaign, enterprise=e) for e in created])
    statuses = S.values
    Option.objects.bulk_create([
        Option(enrolment=en, name=f"方案{k}", category=C.values[k % 2], status=statuses[k % 5], investment=k + 1,
               expected_water_t=10 * k, achieved_water_t=12 * k, expected_cod_t=k)
        for en in enrolments for k in range(options_each)])


CALLS = [(f"benefits_by-{d}", lambda qs, d=d: rollups.benefits_by(qs, d)) for d in rollups.DIMENSIONS] + [
    ("options_by_status", rollups.options_by_status), ("benefit_totals", rollups.benefit_totals)]
PINNED = {"benefits_by-industry": 2}


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[n for n, _ in CALLS])
def test_query_count_does_not_grow_with_the_data(world, name, call):
    _grow(world, enterprises=1, options_each=3)
    assert Option.objects.count() == 3
    qs = access.scope(world.users[Role.PROVINCE_STAFF], Option.objects.all())
    with CaptureQueriesContext(connection) as small:
        small_result = call(qs)
    _grow(world, enterprises=19, options_each=3)
    assert Option.objects.count() == 60
    with CaptureQueriesContext(connection) as large:
        large_result = call(qs)
    assert len(small) == len(large) == PINNED.get(name, 1)
    assert small_result != large_result  # the larger data set was actually counted
