from django import forms


class ExtendForm(forms.Form):
    days = forms.IntegerField(
        label="Extend by (days)",
        min_value=1,
        max_value=3650,
        initial=7,
        error_messages={"required": "Enter a number of days."},
    )
    reason = forms.CharField(
        required=False,
        max_length=2000,
        help_text="Only needed beyond the tier's maximum: the platform team reads it to decide.",
    )
