"""Step pages: an enrolment's timeline of 35 steps, one step's record and review, evidence upload and
download, a campaign's time nodes. Views parse input, call a selector or a service, and render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cpaudit.assessment.extensions import enrolment_targets
from cpaudit.campaigns.models import Campaign, Enrolment
from cpaudit.core import clock
from cpaudit.core.errors import InvalidState
from cpaudit.core.uploads import limit_megabytes, upload_too_large
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.org import access

from ..forms_steps import EvidenceUploadForm, ReviewForm, StageTargetsForm, StepRecordForm
from ..models import Evidence, ReviewStatus, StepRecord
from ..selectors.readiness import open_high_options
from ..services import derived
from ..services import evidence as evidence_services
from ..services import steps as step_services
from ..steps import all_steps, stages
from ..steps import step as step_info

ENROLMENT_RELATED = ("campaign", "enterprise", "enterprise__county", "consulting_agency")


def _records(enrolment, **filters):
    return (StepRecord.objects.filter(enrolment=enrolment, **filters)
            .select_related("recorded_by", "reviewed_by")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by"))))


def _enrolment(user, pk) -> Enrolment:
    access.check(user, "progress.step.view")
    return access.get_in_scope(user, Enrolment.objects.select_related(*ENROLMENT_RELATED), pk=pk)


def _can(user, action: str, campaign) -> bool:
    return access.allowed(user, action) and campaign.status == Campaign.Status.ACTIVE


def _passed_evaluation(enrolment) -> bool:
    from cpaudit.applications.models import Application, Kind, Status

    return Application.objects.filter(enrolment=enrolment, kind=Kind.EVALUATION, status=Status.PASSED).exists()


@domain_view
def enrolment_progress(request, pk):
    """The enterprise's timeline: 35 steps by stage, reached stage, completion, time nodes, eligibility.
    A fixed number of queries whatever the number of records and files."""
    enrolment = _enrolment(request.user, pk)
    campaign = enrolment.campaign
    records = list(_records(enrolment))
    by_step = {r.step_id: r for r in records}
    # The campaign's time nodes, moved for this enterprise by an approved extension (延期申请).
    targets = enrolment_targets(enrolment, derived.stage_targets(campaign))
    today = clock.today()
    completion = derived.stage_completion(records)
    behind = set(derived.behind_schedule(records, targets, today))
    timeline = []
    for stage in stages():
        done, total = completion[stage.number]
        rows = []
        for s in stage.steps:
            record = by_step.get(s.number)
            rows.append({"step": s, "record": record,
                         "files": evidence_services.versions(record.evidence.all()) if record else []})
        timeline.append({"stage": stage, "done": done, "total": total, "target": targets.get(stage.number),
                         "behind": stage.number in behind, "rows": rows})
    reached = derived.reached_stage(records)
    with_file = {r.step_id for r in records if any(e.is_current for e in r.evidence.all())}
    evaluation = derived.evaluation_blockers(records, with_file)
    if _passed_evaluation(enrolment):
        acceptance_why = derived.acceptance_blockers(records, with_file,
                                                     open_high_options([enrolment.pk]).get(enrolment.pk, ()))
        acceptance_why = acceptance_why.message("验收") if acceptance_why else ""
    else:
        acceptance_why = "评估通过后可申请验收"
    return render(request, "progress/enrolment_progress.html", {
        "enrolment": enrolment, "campaign": campaign, "timeline": timeline,
        "reached": reached, "reached_name": stages()[reached - 1].name if reached else "",
        "behind": sorted(behind), "today": today,
        "evaluation_why": evaluation.message("评估") if evaluation else "",
        "acceptance_why": acceptance_why,
        "can_record": _can(request.user, "progress.step.record", campaign),
        "pending": sum(1 for r in records if r.review == ReviewStatus.PENDING),
    })


@domain_view
def step_edit(request, pk, step):
    """One step: its record, evidence and history; the form for the enterprise or its agency, the
    review buttons for branch staff."""
    if step not in {s.number for s in all_steps()}:
        raise Http404("没有这个审核步骤")
    enrolment = _enrolment(request.user, pk)
    campaign = enrolment.campaign
    record = _records(enrolment, step_id=step).first()
    if request.method == "POST":
        access.check(request.user, "progress.step.record", enrolment)
        form = StepRecordForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                step_services.step_record(actor=request.user, enrolment=enrolment, step_number=step,
                                          status=data["status"], start_date=data["start_date"],
                                          completion_date=data["completion_date"], note=data["note"])
            except ValidationError as exc:
                add_validation_errors(form, exc)
            except InvalidState as exc:
                # The form may not be shown again (a closed campaign, a locked step): say it on top.
                messages.error(request, exc.message)
                return redirect("progress:step_edit", enrolment.pk, step)
            else:
                messages.success(request, f"已保存第{step}步的进展")
                return redirect("progress:step_edit", enrolment.pk, step)
    else:
        form = StepRecordForm(initial=StepRecordForm.initial_for(record))
    files = evidence_services.versions(record.evidence.all()) if record else []
    locked = bool(record and record.locked)
    can_record = _can(request.user, "progress.step.record", campaign)
    can_upload = _can(request.user, "progress.evidence.upload", campaign) and record is not None and not locked
    can_review = _can(request.user, "progress.step.review", campaign) and record is not None
    return render(request, "progress/step_edit.html", {
        "enrolment": enrolment, "campaign": campaign, "info": step_info(step), "record": record, "files": files,
        "form": form if can_record and not locked else None, "locked": locked,
        "can_record": can_record,
        "upload_form": EvidenceUploadForm(current=[g["current"] for g in files]) if can_upload else None,
        "review_form": ReviewForm(initial={"version": step_services.review_version(record)}) if can_review else None,
        "can_confirm": can_review and record.review == ReviewStatus.PENDING,
        "can_reopen": can_review and locked and access.allowed(request.user, "progress.step.reopen"),
        "allowed_types": evidence_services.ALLOWED_TYPES, "limit": evidence_services.limit_label(),
    })


@domain_view
@require_POST
def step_review(request, pk):
    """Branch staff: confirm (核实) or return a pending step, reopen a confirmed one."""
    access.check(request.user, "progress.step.view")
    record = access.get_in_scope(request.user, StepRecord.objects.select_related("enrolment"), pk=pk)
    action = request.POST.get("action")
    access.check(request.user, "progress.step.reopen" if action == "reopen" else "progress.step.review", record)
    back = redirect("progress:step_edit", record.enrolment_id, record.step_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择核实、退回或重新打开")
        return back
    reason = form.cleaned_data["reason"]
    version = form.cleaned_data["version"] or None
    try:
        if action == "confirm":
            step_services.step_confirm(actor=request.user, record=record, version=version)
        elif action == "return":
            step_services.step_return(actor=request.user, record=record, reason=reason, version=version)
        else:
            step_services.step_reopen(actor=request.user, record=record, reason=reason)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except InvalidState as exc:
        messages.error(request, exc.message)
    else:
        done = {"confirm": "已核实并锁定", "return": "已退回企业", "reopen": "已重新打开"}[action]
        messages.success(request, f"第{record.step_id}步{done}")
    return back


@domain_view
@require_POST
def evidence_upload(request, pk):
    """The enterprise or its agency attach a file to a step (optionally as a new version of one)."""
    access.check(request.user, "progress.step.view")
    record = access.get_in_scope(request.user, StepRecord.objects.select_related("enrolment"), pk=pk)
    access.check(request.user, "progress.evidence.upload", record)
    back = redirect("progress:step_edit", record.enrolment_id, record.step_id)
    current = Evidence.objects.filter(record=record, is_current=True)
    form = EvidenceUploadForm(request.POST, request.FILES, current=current)
    if upload_too_large(request):
        messages.error(request, f"文件过大：佐证材料不能超过 {limit_megabytes()} MB")
        return back
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return back
    try:
        evidence = evidence_services.evidence_upload(actor=request.user, record=record,
                                                     uploaded_file=form.cleaned_data["file"],
                                                     replaces=form.cleaned_data["replaces"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except InvalidState as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已上传：{evidence.original_name}")
    return back


@domain_view
def evidence_download(request, pk):
    """The stored file, as an attachment under its original name; 404 outside the user's scope."""
    access.check(request.user, "progress.evidence.download")
    evidence = access.get_in_scope(request.user, Evidence.objects.all(), pk=pk)
    try:
        opened = evidence_services.evidence_open(actor=request.user, evidence=evidence)
    except InvalidState as exc:
        raise Http404(exc.message) from exc
    return FileResponse(opened.handle, as_attachment=True, filename=opened.name, content_type=opened.content_type)


@domain_view
def stage_targets(request, slug):
    """A campaign's time nodes (按时间节点完成), set by the campaign's owner."""
    access.check(request.user, "campaigns.campaign.change")
    campaign = access.get_in_scope(request.user, Campaign.objects.all(), slug=slug)
    access.check(request.user, "campaigns.campaign.change", campaign)
    current = derived.stage_targets(campaign)
    defaults = derived.default_stage_targets(campaign)
    form = StageTargetsForm(request.POST or None,
                            initial={f"stage_{k}": v for k, v in current.items()})
    if request.method == "POST" and form.is_valid():
        try:
            step_services.stage_targets_save(actor=request.user, campaign=campaign, targets=form.targets())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已保存阶段时间节点")
            return redirect("campaigns:campaign_detail", campaign.slug)
    for stage, day in defaults.items():
        form.fields[f"stage_{stage}"].help_text = f"默认：{day:%Y-%m-%d}"
    return render(request, "progress/steps_targets.html", {"form": form, "campaign": campaign})
