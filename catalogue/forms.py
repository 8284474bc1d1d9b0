from django import forms

from catalogue.choices import Category, DataClassification


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=100)
    category = forms.ChoiceField(required=False, choices=[("", "All categories"), *Category.choices])
    classification = forms.ChoiceField(
        required=False, choices=[("", "Any classification"), *DataClassification.choices], label="Data classification"
    )
