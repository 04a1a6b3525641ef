from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "cpaudit.assessment"
    label = "assessment"
    verbose_name = "考核通报"

    def ready(self):
        from cpaudit.disclosure.sections import Section, register
        from cpaudit.documents.services import KINDS

        # A circular is issued through documents.services.document_issue (sealed Word and PDF).
        KINDS.setdefault("circular", ("assessment.circular", "通报"))
        register(Section("circulars", "通报", 40, "assessment/public_circulars.html", _public_context))


def _public_context(campaign) -> dict:
    """The issued circulars marked for the public: title, 文号, issuing agency and date (one query)."""
    from .selectors import public_circulars

    return {"circulars": public_circulars(campaign)}
