"""GB 32100-2015 codes: real published samples, each kind of invalid code, and single-character changes."""

import csv
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from cpaudit.registry.uscc import ALPHABET, check, is_valid, normalize

SAMPLES = list(csv.DictReader((Path(__file__).parent.parent / "data" / "uscc_samples.csv").open(encoding="utf-8")))


@pytest.mark.parametrize("row", [r for r in SAMPLES if r["computed_gb32100_check"] == "ok"], ids=lambda r: r["uscc"])
def test_published_valid_codes_are_valid(row):
    assert is_valid(row["uscc"])


@pytest.mark.parametrize("row", [r for r in SAMPLES if r["computed_gb32100_check"] != "ok"], ids=lambda r: r["uscc"])
def test_published_invalid_codes_are_invalid(row):
    result = check(row["uscc"])
    assert not result.valid
    if row["computed_gb32100_check"].startswith("bad_check(expected "):
        expected = row["computed_gb32100_check"].removeprefix("bad_check(expected ").rstrip(")")
        assert result.expected_check == expected
        assert f"应为“{expected}”" in result.reason


def test_known_vector_from_domain_readme():
    result = check("91350100M000100Y4Z")
    assert not result.valid and result.expected_check == "3"


@pytest.mark.parametrize("first", ["Y", "N", "A", "1", "5", "9"])
def test_codes_starting_with_letters_are_accepted_when_check_is_right(first):
    from stdnum.cn.uscc import calc_check_digit

    body = f"{first}1110000600037341"
    code = body + calc_check_digit(body)
    assert is_valid(code), code


def test_letters_in_region_part_are_not_rejected_for_that():
    # Positions 3–8 may be historic or zone codes; only the alphabet and the check matter.
    from stdnum.cn.uscc import calc_check_digit

    body = "9131A115MA1H8NJG2"
    assert is_valid(body + calc_check_digit(body))


@pytest.mark.parametrize(("raw", "fragment"), [
    ("", "不能为空"),
    ("12345", "应为18位，实际为5位"),
    ("9111000060003IOZSV", "第14位字符“I”"),
    ("91110000600037341N", "校验码错误"),
])
def test_each_kind_of_invalid_code_says_why(raw, fragment):
    result = check(raw)
    assert not result.valid and fragment in result.reason


def test_normalize_folds_full_width_spaces_and_case():
    assert normalize(" ９１１３０２００６９９２２９６１７ｘ ") == "91130200699229617X"
    assert is_valid("91130200 6992-29617x")


VALID = [r["uscc"] for r in SAMPLES if r["computed_gb32100_check"] == "ok"]


@settings(max_examples=300, deadline=None)
@given(code=st.sampled_from(VALID), position=st.integers(0, 17), replacement=st.sampled_from(ALPHABET))
def test_any_single_character_change_is_detected(code, position, replacement):
    """The mod-31 check catches every single substitution within the alphabet."""
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1:]
    assert not is_valid(changed)


@settings(max_examples=200, deadline=None)
@given(code=st.sampled_from(VALID), position=st.integers(0, 15))
def test_adjacent_transpositions_in_the_body_are_detected(code, position):
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
    if swapped == code:
        return
    # Weights grow by 3, so a swap shifts the sum by -2·(a−b)·w mod 31: never 0 when a ≠ b (31 is prime).
    assert not is_valid(swapped)


def test_check_uscc_command_output_and_exit_status():
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("check-uscc", "91130200699229617X", "91350100M000100Y4Z", stdout=out)
    assert exc.value.code == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == "91130200699229617X\tvalid"
    code, status, reason = lines[1].split("\t")
    assert (code, status) == ("91350100M000100Y4Z", "invalid") and "3" in reason


def test_check_uscc_command_all_valid_exits_zero():
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("check-uscc", *VALID[:5], stdout=out)
    assert exc.value.code == 0
    assert all(line.endswith("\tvalid") for line in out.getvalue().splitlines())


def test_check_uscc_reads_standard_input():
    proc = subprocess.run(
        [sys.executable, "-m", "cpaudit.manage", "check-uscc"], input="91130200699229617X\n\n12345\n",
        capture_output=True, text=True, env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "cpaudit.settings.test"},
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0] == "91130200699229617X\tvalid"
    assert proc.stdout.splitlines()[1].startswith("12345\tinvalid\t")
