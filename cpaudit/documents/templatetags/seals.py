"""On the application and batch pages: what has been issued (number, verification code, when, by
which agency's seal) and, for the one entitled to issue it, the 签发 button. One query each."""

from django import template

from cpaudit.documents import application_documents as issuing
from cpaudit.documents.models import IssuedDocument

register = template.Library()


def _issued(kind: str, object_id) -> list[IssuedDocument]:
    if object_id is None:
        return []
    return list(IssuedDocument.objects.filter(kind=kind, object_id=object_id).exclude(file_sm3="").order_by("format"))


@register.inclusion_tag("documents/_issue_box.html", takes_context=True)
def issue_form_box(context, application):
    user = context["request"].user
    version = application.versions.order_by("-number").only("pk", "number").first()
    issued = _issued(issuing.FORM, version.pk if version else None)
    may = not issued and version is not None and not issuing.form_issue_refusal(user, application)
    return {"issued": issued, "may_issue": may, "what": f"{application.form_title}（含各级意见）",
            "action": "applications:form_issue", "pk": application.pk, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("documents/_issue_box.html", takes_context=True)
def issue_letter_box(context, batch):
    user = context["request"].user
    issued = _issued(issuing.LETTER, batch.pk)
    may = not issued and not issuing.letter_issue_refusal(user, batch)
    return {"issued": issued, "may_issue": may, "what": "书面申请", "action": "applications:batch_issue",
            "pk": batch.pk, "csrf_token": context.get("csrf_token")}
