"""The request and update forms, generated from a pattern version's JSON Schema.

Fields only convert types; the rules (schema keywords, tiers, time-to-live,
naming) are checked by `provisioning.validation`, which the actions use too.
"""

from __future__ import annotations

import json

from django import forms

from catalogue.models import PatternVersion
from catalogue.parameters import NON_FIELD, choices, defaults
from governance.choices import Tier
from governance.models import Team
from provisioning.models import Environment, environment_name_validator
from provisioning.validation import immutable, validate_request, validate_update


class LinesField(forms.CharField):
    """A list of short values typed one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *, item_type: type = str, **kwargs):
        self.item_type = item_type
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        return [self._item(line.strip()) for line in text.splitlines() if line.strip()]

    def _item(self, line: str):
        if self.item_type is int:
            try:
                return int(line)
            except ValueError:
                return line  # the schema check then names the item that is not a whole number
        return line

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


def parameter_field(prop: dict, required: bool) -> forms.Field:
    """One form field for one JSON Schema property: the widget follows the type."""
    common = {
        "label": prop.get("title"),
        "help_text": prop.get("description", ""),
        "required": required and prop.get("type") != "boolean",
        "initial": prop.get("default"),
    }
    kind = prop.get("type")
    options = choices(prop)
    if kind == "array":
        item_options = choices(prop.get("items", {}))
        if item_options:
            return forms.TypedMultipleChoiceField(
                choices=[(str(v), label) for v, label in item_options],
                widget=forms.CheckboxSelectMultiple,
                coerce=int if prop["items"].get("type") == "integer" else str,
                **common,
            )
        return LinesField(item_type=int if prop.get("items", {}).get("type") == "integer" else str, **common)
    if options is not None:
        field = forms.TypedChoiceField(
            choices=[(str(v), label) for v, label in options],
            coerce={"integer": int, "number": float}.get(kind, str),
            **common,
        )
        field.error_messages["invalid_choice"] = f"Choose one of: {', '.join(str(v) for v, _ in options)}."
        return field
    if kind == "boolean":
        return forms.BooleanField(**common)
    attrs = {}
    for keyword, attr in (("minimum", "min"), ("maximum", "max"), ("multipleOf", "step")):
        if keyword in prop:
            attrs[attr] = prop[keyword]
    if kind == "integer":
        return forms.IntegerField(widget=forms.NumberInput(attrs=attrs), **common)
    if kind == "number":
        return forms.FloatField(widget=forms.NumberInput(attrs={**attrs, "step": attrs.get("step", "any")}), **common)
    text_attrs = {"maxlength": prop["maxLength"]} if "maxLength" in prop else {}
    if "pattern" in prop:
        text_attrs["pattern"] = prop["pattern"]
    return forms.CharField(widget=forms.TextInput(attrs=text_attrs), strip=True, **common)


CUSTOM_SIZE = "custom"


def size_field(version: PatternVersion, initial: dict | None) -> forms.ChoiceField:
    """The pattern's size presets as the first choice; picking one sets its parameters (custom: set each)."""
    properties = version.parameters_schema["properties"]
    start = {**defaults(version.parameters_schema), **(initial or {})}
    matching = next((name for name, values in version.sizes.items() if values.items() <= start.items()), CUSTOM_SIZE)
    options = [
        (
            name,
            f"{name.capitalize()}: "
            + ", ".join(f"{properties[key]['title']} {value}" for key, value in values.items()),
        )
        for name, values in version.sizes.items()
    ]
    return forms.ChoiceField(
        label="Size",
        choices=[*options, (CUSTOM_SIZE, "Custom: set each parameter below")],
        initial=matching,
        required=False,
        widget=forms.RadioSelect(attrs={"data-size-presets": json.dumps(version.sizes)}),
        help_text="A size sets the parameters it names; change any of them to make it custom.",
    )


class ParametersForm(forms.Form):
    """A pattern version's parameters as fields, plus the reason for the change."""

    reason = forms.CharField(
        label="What is it for?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Helps reviewers when the change needs an approval.",
    )
    shown_standard_fields: tuple[str, ...] = ("reason",)

    def __init__(self, *args, version: PatternVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        schema = version.parameters_schema
        required = set(schema.get("required", []))
        for name, prop in schema["properties"].items():
            self.fields[name] = parameter_field(prop, name in required)
            self.fields[name].widget.attrs.setdefault("aria-describedby", f"help-{name}")

    @property
    def parameter_names(self) -> list[str]:
        return list(self.version.parameters_schema["properties"])

    def parameter_fields(self):
        return [self[name] for name in self.parameter_names]

    def standard_bound_fields(self):
        return [self[name] for name in self.shown_standard_fields]

    def parameters(self, data: dict) -> dict:
        return {name: data[name] for name in self.parameter_names if data.get(name) not in (None, "", [])}

    def show_errors(self, errors: dict[str, list[str]], data: dict) -> None:
        """Put the validation's messages on the fields, skipping those that did not even convert."""
        for field, messages in errors.items():
            if field in self.errors:
                continue  # the field did not convert; its own message says why
            if field in self.fields and field in self.parameter_names and field not in data:
                continue
            for message in messages:
                self.add_error(None if field == NON_FIELD or field not in self.fields else field, message)


class RequestForm(ParametersForm):
    pattern_version = forms.IntegerField(widget=forms.HiddenInput)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": "There is no such team; choose one of your teams.",
            "required": "Choose the team that will own the environment. Not in a team? Ask a team lead or an admin.",
        },
    )
    name = forms.CharField(
        label="Environment name",
        max_length=24,
        validators=[environment_name_validator],
        help_text="Lower-case letters, digits and hyphens, e.g. checkout-staging. Used in every resource name.",
    )
    application = forms.CharField(
        label="Application",
        max_length=24,
        required=False,
        validators=[environment_name_validator],
        help_text="Groups this environment with the same application's other tiers (dev, test, prod) so you can "
        "promote between them. Empty: the environment name.",
    )
    tier = forms.ChoiceField(choices=Tier.choices)
    ttl_days = forms.IntegerField(
        label="Time to live (days)",
        required=False,
        help_text="Sets the expiry date shown on the environment, which you can extend there. Empty: the tier default.",
    )

    shown_standard_fields = ("team", "name", "application", "tier", "ttl_days", "reason")  # pattern_version is hidden
    field_order = ("pattern_version", *shown_standard_fields)

    def __init__(self, *args, version: PatternVersion, user, **kwargs):
        super().__init__(*args, version=version, **kwargs)
        # Any team converts; whether the user may request for it is the action's answer (shown on this field).
        self.fields["team"].queryset = Team.objects.all()
        teams = list(Team.objects.for_user(user))
        self.member_team_ids = {team.pk for team in teams} if not user.is_superuser else None
        self.fields["team"].widget.choices = [(team.pk, team.name) for team in teams]
        if len(teams) == 1:
            self.fields["team"].initial = teams[0].pk
        self.fields["pattern_version"].initial = version.pk
        self.fields["tier"].choices = [(t, Tier(t).label) for t in version.allowed_tiers]
        self.fields["tier"].initial = version.allowed_tiers[0]
        if version.sizes:
            self.fields["size"] = size_field(version, self.initial)

    @property
    def size_field(self):
        return self["size"] if "size" in self.fields else None

    def clean(self):
        """Check the rules on every value that converted, so all problems show at once."""
        data = super().clean()
        version = self.version
        if "pattern_version" in data and data["pattern_version"] != version.pk:
            version = PatternVersion.objects.select_related("pattern").filter(pk=data["pattern_version"]).first()
            if version is None or version.pattern_id != self.version.pattern_id:
                raise forms.ValidationError("This form does not belong to this pattern; reload the page.")
        parameters = self.parameters(data)
        if data.get("size") in (version.sizes or {}):
            parameters.update(version.size_parameters(data["size"]))  # a chosen size sets its parameters
        team = data.get("team")
        if team is not None and self.member_team_ids is not None and team.pk not in self.member_team_ids:
            team = None  # not the user's team: say nothing about its environments; the action refuses it
        ttl, errors = validate_request(
            team=team,
            pattern_version=version,
            name=data.get("name", ""),
            tier=data.get("tier"),
            ttl_days=data.get("ttl_days"),
            parameters=parameters,
            application=data.get("application") or data.get("name", ""),
        )
        self.show_errors(errors, data)
        data["parameters"], data["ttl_days"] = parameters, ttl
        return data


class UpdateForm(ParametersForm):
    """The environment's parameters, prefilled with what runs now, for an update change."""

    def __init__(self, *args, environment: Environment, **kwargs):
        kwargs.setdefault("initial", environment.parameters)
        super().__init__(*args, version=environment.pattern_version, **kwargs)
        self.environment = environment
        self.fields["reason"].label = "Why this change?"
        for name in immutable(environment.pattern_version.parameters_schema):
            field = self.fields[name]
            field.disabled = True  # the browser cannot change it; the form keeps what runs
            field.initial = environment.parameters.get(name)
            field.help_text = (
                f"{field.help_text} Fixed once created: changing it would replace the environment.".strip()
            )

    def clean(self):
        data = super().clean()
        parameters = self.parameters(data)
        self.show_errors(validate_update(environment=self.environment, parameters=parameters), data)
        data["parameters"] = parameters
        return data
