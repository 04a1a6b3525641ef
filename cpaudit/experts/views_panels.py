"""The panel page of an application (draw, draw record and its check, meeting, scores, outcome) and the
expert's own pages (my review tasks, the score form beside the files it judges and the consistency
flags on the enterprise's figures).

Who sees what: government users who see the application see the whole page; the organizer's staff act
on it. An expert sees the page of an application whose current panel it sits on, but not the draw
record's recusals (they disclose other experts' declarations) nor the other members' scores.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from cpaudit.applications.models import Application, Attachment, Status
from cpaudit.applications.services import attachments as files
from cpaudit.applications.services.basis import seen_token
from cpaudit.core.errors import InvalidState
from cpaudit.core.views import add_validation_errors, domain_view
from cpaudit.org import access
from cpaudit.org.roles import GOVERNMENT_ROLES, Role
from cpaudit.progress.models import Evidence
from cpaudit.progress.selectors.consistency import consistency_flags
from cpaudit.progress.steps import DELIVERABLE_STEPS

from . import draw, selectors, services
from .forms import DrawForm, MeetingForm, ScoreForm
from .models import Expert, PanelMember, Score, ScoreItem


def _application(request, pk) -> Application:
    access.check(request.user, "experts.panel.view")
    return access.get_in_scope(request.user, Application.objects.select_related(
        "campaign", "organizer", "enrolment__enterprise", "enrolment__consulting_agency"), pk=pk)


def _is_organizer_staff(user, application) -> bool:
    return (access.allowed(user, "experts.panel.draw") and application.organizer_id is not None
            and getattr(user, "agency_id", None) == application.organizer_id)


def _draw_form(request, application, data=None):
    campaign = application.campaign
    return DrawForm(data, initial={"size": campaign.panel_size, "min_environment": campaign.panel_min_environment,
                                   "min_industry": campaign.panel_min_industry})


def _meeting_form(panel, data=None):
    return MeetingForm(data, initial={"meeting_date": panel.meeting_date, "meeting_place": panel.meeting_place,
                                      "opinion": panel.opinion} if panel else None)


def _post(request, application, outcome):
    """Run the posted action; (redirect or None, draw form, meeting form)."""
    action = request.POST.get("action")
    draw_form, meeting_form = _draw_form(request, application), _meeting_form(outcome.panel)
    if action == "draw":
        draw_form = _draw_form(request, application, request.POST)
        if draw_form.is_valid():
            try:
                services.panel_draw(actor=request.user, application=application, **draw_form.cleaned_data,
                                    seen=request.POST.get("seen_panel"))
            except InvalidState as exc:
                if exc.code == "stale":  # drawn by someone else meanwhile: show the page with that panel
                    messages.error(request, exc.message)
                    return redirect(request.path), None, None
                add_validation_errors(draw_form, exc)
            except ValidationError as exc:
                add_validation_errors(draw_form, exc)
            else:
                messages.success(request, "已抽取专家组")
                return redirect(request.path), None, None
    elif action == "meeting" and outcome.panel is not None:
        meeting_form = _meeting_form(outcome.panel, request.POST)
        if meeting_form.is_valid():
            try:
                services.panel_meeting_save(actor=request.user, panel=outcome.panel, **meeting_form.cleaned_data)
            except (ValidationError, InvalidState) as exc:
                add_validation_errors(meeting_form, exc)
            else:
                messages.success(request, "已保存评审会议记录")
                return redirect(request.path), None, None
    else:
        messages.error(request, "请选择要进行的操作")
    return None, draw_form, meeting_form


@domain_view
def panel(request, application_pk):
    user = request.user
    application = _application(request, application_pk)
    outcome = services.panel_outcome(application)
    government = user.role in GOVERNMENT_ROLES
    draw_form = meeting_form = None
    if request.method == "POST":
        response, draw_form, meeting_form = _post(request, application, outcome)
        if response is not None:
            return response
    panel = outcome.panel
    organizer_staff = _is_organizer_staff(user, application)
    organizing = application.status == Status.ORGANIZING
    excluded, check = [], None
    if panel is not None and government:
        names = dict(Expert.objects.filter(pk__in=[e["id"] for e in panel.excluded]).values_list("pk", "name"))
        excluded = [{"name": names.get(e["id"], f"专家{e['id']}"), "reason": e["reason"]} for e in panel.excluded]
        if request.GET.get("verify"):
            try:
                replay = services.panel_replay(panel)
            except (ValueError, KeyError, TypeError, draw.NotEnoughExperts):  # a tampered row cannot replay
                replay = []
            check = {"replay": replay, "members": [m.member.expert_id for m in outcome.members],
                     "ok": services.panel_verify(panel)}
    return render(request, "experts/panel.html", {
        "application": application, "outcome": outcome, "panel": panel, "government": government,
        "excluded": excluded, "check": check, "organizing": organizing,
        "history": selectors.panel_history(application) if government else [],
        "can_draw": organizer_staff and organizing,
        "can_meet": organizer_staff and organizing and panel is not None,
        "draw_form": draw_form or _draw_form(request, application),
        "meeting_form": meeting_form or _meeting_form(panel),
        "my_member": next((m.member for m in outcome.members if m.member.expert.user_id == user.pk), None),
    })


@domain_view
def my_tasks(request):
    access.check(request.user, "experts.score.submit")
    return render(request, "experts/my_tasks.html", {"tasks": selectors.my_tasks(request.user)})


def _materials(user, application) -> dict:
    """What the expert scores, beside the form: the files frozen with the submitted version (exactly
    what the reviewers saw), the current files of the deliverable steps (22, 27, 35; marked when one is
    the same file as an attachment) and the consistency flags on the enterprise's own figures."""
    version = application.versions.order_by("-number").first()
    frozen = files.version_attachments(version)
    rows = {a.pk: a for a in access.scope(user, Attachment.objects.filter(
        application=application, pk__in=[item["id"] for item in frozen]))}
    digests = {item["digest"] for item in frozen}
    deliverables = list(access.scope(user, Evidence.objects.filter(
        record__enrolment_id=application.enrolment_id, record__step_id__in=DELIVERABLE_STEPS, is_current=True))
        .select_related("record__step").order_by("record__step_id", "-uploaded_at"))
    for evidence in deliverables:
        evidence.attached = evidence.digest in digests
    return {"version": version, "frozen_files": [{**item, "row": rows.get(item["id"])} for item in frozen],
            "deliverables": deliverables, "flags": consistency_flags(application.enrolment, application.kind)}


@domain_view
def score(request, pk):
    user = request.user
    access.check(user, "experts.score.submit")
    member = access.get_in_scope(user, PanelMember.objects.select_related(
        "expert", "panel__sheet", "panel__application__enrolment__enterprise"), pk=pk, expert__user_id=user.pk)
    application = member.panel.application
    items = list(ScoreItem.objects.filter(sheet_id=member.panel.sheet_id).order_by("order"))
    current = Score.objects.filter(member=member).first()
    initial = None
    if current is not None:
        initial = {f"item_{k}": v for k, v in current.points.items()}
        initial.update({"vetoes": current.vetoes, "opinion": current.opinion})
    form = ScoreForm(request.POST or None, items=items,
                     initial={**(initial or {}), "seen": seen_token(application)})
    if request.method == "POST" and form.is_valid():
        try:
            services.score_submit(actor=user, member=member, points=form.points(),
                                  vetoes=form.cleaned_data["vetoes"], opinion=form.cleaned_data["opinion"],
                                  seen=form.cleaned_data["seen"])
        except InvalidState as exc:
            if exc.code != "stale":
                add_validation_errors(form, exc)
            else:  # a fresh form, bound to what the page shows now
                messages.error(request, exc.message)
                return redirect(request.path)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "已提交评分")
            return redirect("experts:my_tasks")
    return render(request, "experts/score_form.html", {
        "member": member, "application": application, "sheet": member.panel.sheet, "form": form,
        "current": current, "open": application.status == Status.ORGANIZING and user.role == Role.EXPERT,
        **_materials(user, application),
    })
