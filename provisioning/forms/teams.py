from django import forms

from governance.choices import BudgetMode


class ThresholdsField(forms.CharField):
    """Percentages typed as "80, 100"."""

    def to_python(self, value):
        text = super().to_python(value)
        items = [item.strip().rstrip("%").strip() for item in text.split(",") if item.strip()]
        try:
            return [int(item) for item in items]
        except ValueError:
            raise forms.ValidationError("Give whole percentages separated by commas, such as 80, 100.") from None


class TeamSettingsForm(forms.Form):
    monthly_budget = forms.DecimalField(label="Monthly budget (USD)", max_digits=14, decimal_places=2,
                                        help_text="0 means no budget.")  # fmt: skip
    budget_mode = forms.ChoiceField(
        label="When a change would go over", choices=BudgetMode.choices, widget=forms.RadioSelect
    )
    alert_thresholds = ThresholdsField(
        label="Alert at (% of the budget)", help_text="Leads and the Slack channel are told once a month at each."
    )
    slack_webhook_url = forms.URLField(label="Slack incoming webhook", required=False, assume_scheme="https")
    slack_channel = forms.CharField(label="Slack channel", required=False, max_length=80)
