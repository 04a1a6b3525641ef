"""利益关系申报 pages: one's own declaration (government users and experts), and an expert's declaration
recorded by the pool's keepers. Each submission is a new version; the history stays visible."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from cpaudit.core.errors import InvalidState
from cpaudit.core.views import domain_view
from cpaudit.experts.models import Expert
from cpaudit.experts.selectors import declarations_of
from cpaudit.org import access
from cpaudit.org.roles import Role

from . import services
from .forms import NoteForm, TieFormSet, initial_ties
from .requirements import status_of


def _declare(request, *, expert, title, back):
    """The shared page: history, the form pre-filled with the current ties, submission."""
    history = declarations_of(expert=expert) if expert is not None else declarations_of(user=request.user)
    current = next((d for d in history if d.is_current), None)
    note_form = NoteForm(request.POST or None, initial={"note": current.note if current else ""})
    formset = TieFormSet(request.POST or None, prefix="ties", initial=initial_ties(current))
    if request.method == "POST":
        if note_form.is_valid() and formset.is_valid():
            ties = [t for t in (f.tie() for f in formset) if t]
            try:
                services.declaration_submit(actor=request.user, expert=expert if back else None, ties=ties,
                                            note=note_form.cleaned_data["note"])
            except ValidationError as exc:
                note_form.add_error(None, exc.messages)
            except InvalidState as exc:
                note_form.add_error(None, exc.message)
            else:
                messages.success(request, "已提交利益关系申报")
                return redirect(request.path)
    return render(request, "integrity/declaration_form.html", {
        "title": title, "expert": expert, "history": history, "current": current, "note_form": note_form,
        "formset": formset, "back": back, "status": status_of(current, no_expert=request.user.role == Role.EXPERT
                                                                    and expert is None),
        "valid_days": settings.CPAUDIT_DECLARATION_VALID_DAYS,
    })


@domain_view
def my_declaration(request):
    user = request.user
    access.check(user, "integrity.declaration.submit")
    expert = Expert.objects.filter(user_id=user.pk).first() if user.role == Role.EXPERT else None
    if user.role == Role.EXPERT and expert is None:
        messages.error(request, "您的账号尚未关联专家库中的专家，请联系专家库管理部门后再申报")
    return _declare(request, expert=expert, title="我的利益关系申报", back=None)


@domain_view
def expert_declaration(request, pk):
    access.check(request.user, "experts.expert.view")
    expert = access.get_in_scope(request.user, Expert.objects.all(), pk=pk)
    access.check(request.user, "experts.expert.change", expert)
    return _declare(request, expert=expert, title=f"专家利益关系申报：{expert.name}", back=expert)
