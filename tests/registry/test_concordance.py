"""The GB/T 4754-2011 list, its concordance to GB/T 4754-2017, and the six-industry scope functions."""

import csv
import io
from collections import Counter

import pytest

from cpaudit.registry import concordance, industries
from cpaudit.registry.industries import DATA
from cpaudit.registry.models import Industry


def test_the_shipped_concordance_is_what_the_rules_derive():
    g2017 = concordance.codes_2017()
    rows = concordance.write_rows(concordance.derive(concordance.codes_2011(), g2017), g2017)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    assert (DATA / concordance.CONCORDANCE_FILE).read_text(encoding="utf-8") == buffer.getvalue()


def test_the_2011_list_has_the_totals_of_the_standard():
    levels = Counter(row.level_name for row in concordance.codes_2011().values())
    assert levels == {"门类": 20, "大类": 96, "中类": 432, "小类": 1094}


def test_every_2011_class_has_one_row_and_every_target_is_a_2017_class():
    table = concordance.concordance()
    classes = {c for c, row in concordance.codes_2011().items() if row.level == 4}
    assert set(table) == classes
    for mapping in table.values():
        assert all(concordance.codes_2017()[t].level == 4 for t in mapping.targets), mapping
        assert (mapping.basis == "unmapped") == (not mapping.targets), mapping
        assert mapping.unique == (mapping.basis in ("same", "moved")), mapping


@pytest.mark.parametrize(("code", "basis", "targets"), [
    ("1713", "same", ("1713",)),  # 棉印染精加工
    ("3660", "moved", ("3670",)),  # 汽车零部件及配件制造: 3660 is 汽车车身、挂车制造 in 2017
    ("1440", "split", ("1441", "1442", "1449")),  # 乳制品制造
    ("2760", "split", ("2761", "2762")),  # 生物药品制造 → also 基因工程药物和疫苗制造
    ("2520", "split", ("2521", "2522", "2523", "2529")),  # 炼焦; 2524 煤制品制造 came from 4120
    ("1789", "renamed", ("1789",)),  # 其他非家用纺织制成品制造 → 其他产业用纺织制成品制造
    ("3972", "unmapped", ()),  # 印制电路板制造: same code is 半导体分立器件制造 in 2017
    ("2928", "unmapped", ()),  # 塑料零件制造: same code is 人造草坪制造 in 2017
])
def test_rules_on_known_cases(code, basis, targets):
    mapping = concordance.concordance()[code]
    assert (mapping.basis, mapping.targets) == (basis, targets)


def test_2017_list_has_374_and_3741_and_so_has_the_database(db):
    table = concordance.codes_2017()
    assert (table["374"].name, table["3741"].name) == ("航空、航天器及设备制造", "飞机制造")
    assert Industry.objects.get(code="374").name == "航空、航天器及设备制造"
    assert Industry.objects.get(code="3741").parent_id == "374"


def test_similar_names_are_hints_for_unmapped_names():
    assert concordance.similar_classes("光电子器件及其他电子器件制造")[:2] == ["3979", "3976"]
    assert concordance.similar_classes("其他") == []


@pytest.mark.parametrize(("code", "group", "precise", "bucket"), [
    ("1713", "印染", True, "印染"),
    ("2221", "造纸", True, "造纸"),
    ("3670", None, True, industries.OUTSIDE),
    ("221", "造纸", True, "造纸"),  # 纸浆制造: every class is 造纸
    ("27", "制药", True, "制药"),  # 医药制造业: all of it is 制药
    ("17", None, False, industries.UNDETERMINED),  # 纺织业: 印染 and 纺织
    ("22", None, False, industries.UNDETERMINED),  # 造纸和纸制品业: 纸制品 is not 造纸
    ("144", None, False, industries.UNDETERMINED),  # 乳制品制造: outside, but a 中类
    ("C", None, False, industries.UNDETERMINED),
])
def test_scope_group_and_precision(code, group, precise, bucket):
    assert industries.scope_group(code) == group
    assert industries.is_scope_precise(code) is precise
    assert industries.bucket(code) == bucket


def test_level_warning_names_the_level():
    assert industries.level_warning("1713") == ""
    assert "是大类（纺织业），涉及六行业中的印染、纺织" in industries.level_warning("17")
    assert "是中类（纸浆制造），可确定属“造纸”行业" in industries.level_warning("221")
    assert "是门类（制造业）" in industries.level_warning("C")


def test_buckets_partition_the_2017_codes():
    names = (*industries.SIX_GROUPS, industries.OUTSIDE, industries.UNDETERMINED)
    buckets = [set(industries.codes_in_bucket(n)) for n in names]
    assert sum(len(b) for b in buckets) == len(concordance.codes_2017())
    assert set().union(*buckets) == set(concordance.codes_2017())
