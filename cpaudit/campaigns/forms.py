from django import forms

from cpaudit.org.jurisdiction import county_choices
from cpaudit.org.models import Division
from cpaudit.registry.models import Enterprise

from .models import Campaign, Enrolment


class DateInput(forms.DateInput):
    input_type = "date"


class CampaignForm(forms.ModelForm):
    counties = forms.ModelMultipleChoiceField(label="范围县（市、区）", queryset=Division.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)
    basin_counties = forms.ModelMultipleChoiceField(label="其中属白洋淀流域", queryset=Division.objects.none(),
                                                    required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Campaign
        fields = ["slug", "name", "year", "document_number", "notice_title", "notice_number", "notice_issuer",
                  "notice_date", "status", "report_day", "evaluation_deadline", "acceptance_deadline", "fee_threshold",
                  "scope_water_related", "scope_double_only", "scope_note"]
        widgets = {"evaluation_deadline": DateInput(), "acceptance_deadline": DateInput(), "notice_date": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        counties = county_choices(user).order_by("code")
        self.fields["counties"].queryset = counties
        self.fields["basin_counties"].queryset = counties
        self.fields["evaluation_deadline"].required = False
        self.fields["acceptance_deadline"].required = False
        self.fields["evaluation_deadline"].help_text = "留空则为当年8月20日"
        self.fields["acceptance_deadline"].help_text = "留空则为当年11月20日"
        if self.instance.pk:
            links = list(self.instance.county_links.all())
            self.fields["counties"].initial = [link.county_id for link in links]
            self.fields["basin_counties"].initial = [link.county_id for link in links if link.in_basin]
            self.fields["slug"].disabled = True

    def service_data(self):
        return {k: self.cleaned_data[k] for k in self.Meta.fields if k in self.cleaned_data}

    def county_flags(self) -> dict[str, bool]:
        basin = {d.code for d in self.cleaned_data.get("basin_counties") or []}
        return {d.code: d.code in basin for d in self.cleaned_data["counties"]}


class EnrolmentForm(forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = ["audit_round", "mode", "consulting_agency", "start_date", "end_date", "enterprise_type",
                  "has_deadline_project", "deadline_project_done", "has_violation", "scope_reason"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        if enterprises is not None:
            self.fields["enterprise"] = forms.ModelChoiceField(label="企业", queryset=enterprises)
            self.order_fields(["enterprise"])

    def service_data(self):
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("enterprise", "consulting_agency")}
        data["consulting_agency_id"] = self.cleaned_data["consulting_agency"].pk if self.cleaned_data.get(
            "consulting_agency") else None
        return data

    def validate_unique(self):
        """The service reports a duplicate enrolment in Chinese."""

    def _post_clean(self):
        # Constraints are the service's to explain; skip ModelForm's model validation of them.
        opts = self._meta
        try:
            self.instance = forms.models.construct_instance(self, self.instance, opts.fields, opts.exclude)
        except forms.ValidationError as e:
            self._update_errors(e)


def enterprises_for_enrolment(user, campaign):
    from cpaudit.org.access import scope

    return scope(user, Enterprise.objects.filter(county__in=campaign.county_links.values("county"))).exclude(
        enrolments__campaign=campaign).order_by("county_id", "name")
