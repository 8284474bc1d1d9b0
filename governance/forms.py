from django import forms

from governance.choices import TokenScope
from governance.tokens import MAX_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What it is for, e.g. laptop CLI or CI pipeline.")
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ,
                              help_text="Read lists and follows; write requests and changes; approve decides reviews.")  # fmt: skip
    days = forms.IntegerField(label="Valid for (days)", min_value=1, max_value=MAX_DAYS, initial=90)
