from provisioning.forms.decisions import DecisionForm
from provisioning.forms.lifecycle import DecommissionForm, ExtendForm
from provisioning.forms.requests import LinesField, ParametersForm, RequestForm, UpdateForm, parameter_field
from provisioning.forms.teams import TeamSettingsForm

__all__ = [
    "DecisionForm",
    "DecommissionForm",
    "ExtendForm",
    "LinesField",
    "ParametersForm",
    "RequestForm",
    "TeamSettingsForm",
    "UpdateForm",
    "parameter_field",
]
