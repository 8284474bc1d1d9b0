from provisioning.forms.decisions import DecisionForm
from provisioning.forms.lifecycle import ExtendForm
from provisioning.forms.requests import LinesField, ParametersForm, RequestForm, UpdateForm, parameter_field
from provisioning.forms.teams import TeamSettingsForm

__all__ = [
    "DecisionForm",
    "ExtendForm",
    "LinesField",
    "ParametersForm",
    "RequestForm",
    "TeamSettingsForm",
    "UpdateForm",
    "parameter_field",
]
