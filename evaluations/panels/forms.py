from django import forms
from django.utils.translation import gettext_lazy as _

from evaluations.constants import CriterionKind, Metric
from evaluations.models import Criterion, Rubric
from klyngeadmin.kernel.forms import AccessibleFormMixin


class RubricForm(AccessibleFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Rubric
        fields = ["purpose", "name", "description", "normalise_per_grant_krone",
                  "emerging_peer_group"]



class CriterionForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["key", "title", "guidance", "weight", "kind", "metric", "position"]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", _("Intet (skønsmæssigt kriterium)"))] + list(Metric.choices)

    def clean(self):
        data = super().clean()
        if data.get("kind") == CriterionKind.DATA and not data.get("metric"):
            self.add_error("metric", _("Et databaseret kriterium skal have et nøgletal."))
        if data.get("kind") == CriterionKind.JUDGEMENT and data.get("metric"):
            self.add_error("metric", _("Et skønsmæssigt kriterium har intet nøgletal."))
        if data.get("kind") == CriterionKind.TARGET_ATTAINMENT and data.get("metric"):
            self.add_error("metric", _("Målopfyldelse måles mod bevillingens måltal, ikke et nøgletal."))
        return data

