from django import forms

from governance.choices import ReviewerGroup
from provisioning.choices import ApprovalDecision


class DecisionForm(forms.Form):
    group = forms.ChoiceField(choices=ReviewerGroup.choices, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=ApprovalDecision.choices)
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Comment for the requester (required to reject)"}),
    )
