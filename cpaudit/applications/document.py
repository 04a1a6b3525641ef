"""The printable snapshot of an application form (Table 1 / Table 2) and of a batch's covering letter.

`form_document` reads a frozen ApplicationVersion (never the live form, unless there is no version
yet: then the draft, marked as such) and the Decision rows bound to that same version, so a printed
form shows exactly what the reviewers decided on. The result is a JSON-safe dict; the renderers
(render/) lay it out as the seed's tables.
"""

from __future__ import annotations

from django.utils import timezone

from cpaudit.core import clock

from . import formspec
from .models import FORM_NUMBERS, FORM_TITLES, Application, ApplicationVersion, Kind, Outcome, Step

# The two opinion blocks of the seed's forms: the reviewing step and the leader's approval after it.
OPINION_STEPS = {
    "city": (Step.CITY_REVIEW, Step.CITY_APPROVAL),
    "province": (Step.PROVINCE_REVIEW, Step.PROVINCE_APPROVAL),
}


def _day(moment) -> str | None:
    return timezone.localdate(moment).isoformat() if moment else None


def _latest(decisions, step, outcome=None):
    found = [d for d in decisions if d.step == step and (outcome is None or d.outcome == outcome)]
    return found[-1] if found else None


def _opinion(decisions, review_step, approval_step) -> dict:
    """One opinion block: the reviewer's text, name and date; the leader's agreement as a note."""
    review = _latest(decisions, review_step)
    if review is None:
        return {"opinion": "", "name": "", "date": None, "returned": False, "approval": None}
    approval = _latest(decisions, approval_step, Outcome.AGREE)
    transcribed = None
    if review.transcribed:
        transcribed = {"number": review.source_number, "recorder": review.actor.full_name or review.actor.username,
                       "recorder_agency": str(review.actor.agency or "")}
    return {
        "opinion": review.opinion,
        "name": review.actor_name,
        "date": review.source_date.isoformat() if review.transcribed else _day(review.decided_at),
        "returned": review.outcome == Outcome.RETURN,
        "transcribed": transcribed,
        # Only an approval given after this review belongs to it.
        "approval": ({"name": approval.actor_name, "date": _day(approval.decided_at)}
                     if approval is not None and approval.decided_at >= review.decided_at else None),
    }


def _version(application: Application, version) -> ApplicationVersion | None:
    if isinstance(version, ApplicationVersion):
        return version
    versions = application.versions.all()
    if version is not None:
        found = versions.filter(number=int(version)).first()
        if found is None:
            raise ApplicationVersion.DoesNotExist(f"没有第{version}版")
        return found
    return versions.order_by("-number").first()


def _draft_content(application: Application) -> dict:
    registry = formspec.registry_values(application.enrolment, application.kind, application.evaluation,
                                        application.campaign, clock.today())
    return formspec.freeze(application.kind, application.form_data or {}, registry)


def form_document(application: Application, version=None, *, draft: bool = False) -> dict:
    """The form as printed. `version`: an ApplicationVersion, a version number, or None for the latest
    submitted one; with no version at all (or draft=True) the live draft is printed."""
    frozen = None if draft else _version(application, version)
    kind = application.kind
    if frozen is None:
        content, decisions = _draft_content(application), []
    else:
        content = frozen.content
        decisions = list(frozen.decisions.select_related("actor__agency").order_by("decided_at", "pk"))
    values = {f["key"]: f["value"] for f in content.get("fields", [])}
    branch = _latest(decisions, Step.BRANCH_REVIEW, Outcome.AGREE)
    checks = {key: (branch.checks or {}).get(key) if branch else None for key, _ in formspec.REVIEW_CHECKS[kind]}

    return {
        "kind": kind,
        "number": FORM_NUMBERS[Kind(kind)],
        "title": FORM_TITLES[Kind(kind)],
        "application": application.pk,
        "enterprise": values.get("name") or str(application.enrolment.enterprise),
        "version": frozen.number if frozen else None,
        "digest": frozen.digest if frozen else "",
        "submitted_at": frozen.submitted_at.isoformat() if frozen else None,
        "draft": frozen is None,
        "values": values,
        "checks": checks,
        # Printed beside the answers: who checked, and when.
        "checks_by": {"name": branch.actor_name, "date": _day(branch.decided_at)} if branch else None,
        "opinions": {block: _opinion(decisions, *steps) for block, steps in OPINION_STEPS.items()},
    }


def form_label(doc: dict) -> str:
    """'表1 清洁生产审核评估申请表，第2版' — how messages and file names name a printed form."""
    what = f"第{doc['version']}版" if doc.get("version") else "草稿"
    return f"{doc['number']} {doc['title']}，{what}"


def batch_document(batch) -> dict:
    """The covering letter and its list of enterprises, from the batch's frozen content."""
    content = batch.content or {}
    kind = content.get("kind") or batch.kind
    return {
        "batch": batch.pk,
        "level": batch.level,
        "title": content.get("title") or batch.title,
        "agency": content.get("agency") or str(batch.agency),
        "recipient": content.get("recipient") or str(batch.recipient),
        "kind": kind,
        "kind_label": content.get("kind_label") or Kind(kind).label,
        "form_title": FORM_TITLES[Kind(kind)],
        "campaign": content.get("campaign") or {},
        "letter": content.get("letter") if content.get("letter") is not None else batch.letter,
        "date": content.get("date") or _day(batch.submitted_at),
        "signed_by": content.get("signed_by") or "",
        "items": list(content.get("items") or []),
        "digest": batch.digest,
    }
