from django import forms

from governance.choices import ApprovalDecision, ReviewerGroup


class DecisionForm(forms.Form):
    group = forms.ChoiceField(choices=ReviewerGroup.choices, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=ApprovalDecision.choices)
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Comment for the requester (required to reject)"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == ApprovalDecision.REJECTED and not data.get("comment", "").strip():
            self.add_error("comment", "Say why you reject it, so the requester knows what to change.")
        return data
