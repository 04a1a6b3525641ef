"""The printable snapshot: a frozen version and the decisions bound to it (cpaudit.applications.document)."""

import datetime as dt

import pytest

from cpaudit.applications.document import batch_document, form_document, form_label
from cpaudit.applications.models import ApplicationVersion, Kind, Outcome, Step
from cpaudit.org.roles import Role

from .docfixtures import decide, make_application, make_batch

pytestmark = pytest.mark.django_db


def test_latest_version_by_default_and_a_chosen_one(world):
    application = make_application(world, versions=2)
    assert form_document(application)["version"] == 2
    doc = form_document(application, 1)
    assert doc["version"] == 1 and not doc["draft"] and doc["digest"] == f"{1:064x}"
    assert doc["values"]["name"] == "自有测试企业有限公司" and doc["values"]["audit_round"] == 2
    assert form_label(doc) == "表1 清洁生产审核评估申请表，第1版"
    with pytest.raises(ApplicationVersion.DoesNotExist):
        form_document(application, 3)


def test_decisions_of_another_version_are_not_printed(world):
    application = make_application(world, versions=2)
    first = application.versions.get(number=1)
    decide(world, application, Step.BRANCH_REVIEW, checks={"materials_complete": True, "facts_true": True},
           version=first)
    decide(world, application, Step.CITY_REVIEW, outcome=Outcome.RETURN, opinion="材料不全", name="陈初审",
           role=Role.CITY_STAFF, version=first)
    latest = form_document(application)
    assert latest["checks"] == {"materials_complete": None, "facts_true": None}
    assert latest["opinions"]["city"]["name"] == ""
    old = form_document(application, 1)
    assert old["checks"] == {"materials_complete": True, "facts_true": True}
    assert old["opinions"]["city"] == {"opinion": "材料不全", "name": "陈初审", "date": "2020-08-15",
                                       "returned": True, "approval": None, "transcribed": None}


def test_checks_come_from_the_latest_agreeing_branch_review(world):
    application = make_application(world, kind=Kind.ACCEPTANCE)
    decide(world, application, Step.BRANCH_REVIEW, checks={"materials_complete": True, "options_match": True},
           day=dt.date(2020, 8, 12))
    decide(world, application, Step.BRANCH_REVIEW, checks={"materials_complete": False, "options_match": True},
           day=dt.date(2020, 8, 13))
    decide(world, application, Step.BRANCH_REVIEW, outcome=Outcome.RETURN, checks={"materials_complete": True},
           day=dt.date(2020, 8, 14))
    assert form_document(application)["checks"] == {"materials_complete": False, "options_match": True}


def test_opinion_blocks(world):
    application = make_application(world)
    decide(world, application, Step.CITY_REVIEW, opinion="同意", name="陈初审", day=dt.date(2020, 8, 20),
           role=Role.CITY_STAFF)
    decide(world, application, Step.CITY_APPROVAL, name="刘局长", day=dt.date(2020, 8, 21), role=Role.CITY_LEADER)
    decide(world, application, Step.PROVINCE_REVIEW, opinion="同意组织评估", name="周审批", day=dt.date(2020, 9, 2),
           role=Role.PROVINCE_STAFF)
    opinions = form_document(application)["opinions"]
    assert opinions["city"] == {"opinion": "同意", "name": "陈初审", "date": "2020-08-20", "returned": False,
                                "approval": {"name": "刘局长", "date": "2020-08-21"}, "transcribed": None}
    assert opinions["province"]["name"] == "周审批" and opinions["province"]["approval"] is None


def test_draft_when_never_submitted(world):
    application = make_application(world, versions=0)
    doc = form_document(application)
    assert doc["draft"] and doc["version"] is None and doc["digest"] == ""
    enterprise = application.enrolment.enterprise
    # Registry-bound fields are printed from the registry, the rest from the live form.
    assert doc["values"]["uscc"] == enterprise.uscc and doc["values"]["contact_person"] == "李联系"
    assert form_label(doc) == "表1 清洁生产审核评估申请表，草稿"
    assert form_document(make_application(world, "same_county"), draft=True)["draft"]


def test_batch_document(world):
    batch = make_batch(world, kind=Kind.ACCEPTANCE)
    doc = batch_document(batch)
    assert doc["title"] == batch.content["title"] and doc["recipient"] == "保定市生态环境局"
    assert doc["form_title"] == "清洁生产审核验收申请表" and doc["kind_label"] == "验收"
    assert [i["enterprise"] for i in doc["items"]] == [i["enterprise"] for i in batch.content["items"]]
    assert doc["date"] == "2020-08-18" and doc["signed_by"] == "局长甲"
