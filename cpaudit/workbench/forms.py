from django import forms

from cpaudit.campaigns.models import Campaign
from cpaudit.org import access
from cpaudit.org.models import Agency
from cpaudit.org.roles import BRANCH_AGENCY_KINDS
from cpaudit.progress.steps import stages
from cpaudit.reports import content as C


class StepFilterForm(forms.Form):
    """The steps awaiting the branch: by enterprise and by stage."""

    enterprise = forms.TypedChoiceField(label="企业", required=False, coerce=int, empty_value=None)
    stage = forms.TypedChoiceField(label="阶段", required=False, coerce=int, empty_value=None)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cpaudit.progress.models import ReviewStatus, StepRecord

        pending = access.scope(user, StepRecord.objects.filter(review=ReviewStatus.PENDING,
                                                               enrolment__campaign__status="active"))
        names = (pending.values_list("enrolment__enterprise_id", "enrolment__enterprise__name")
                 .order_by("enrolment__enterprise__name").distinct())
        self.fields["enterprise"].choices = [("", "全部企业"), *names]
        self.fields["stage"].choices = [("", "全部阶段"), *((s.number, f"{s.number}. {s.name}") for s in stages())]


class RemindForm(forms.Form):
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none())
    month = forms.CharField(max_length=7)
    branch = forms.ModelChoiceField(queryset=Agency.objects.filter(kind__in=BRANCH_AGENCY_KINDS))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = access.scope(user, Campaign.objects.all())

    def clean_month(self):
        try:
            return C.parse_month(self.cleaned_data["month"])
        except (ValueError, TypeError) as exc:
            raise forms.ValidationError("月份应为YYYY-MM") from exc
