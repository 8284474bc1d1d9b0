from provisioning.models.approvals import Approval, ApprovalRequirement
from provisioning.models.changes import ChangeRequest
from provisioning.models.environments import Environment, environment_name_validator
from provisioning.models.gitops import Repository, RequestFileSync
from provisioning.models.notices import ExpiryNotice
from provisioning.models.runs import Run

__all__ = [
    "Approval",
    "ApprovalRequirement",
    "ChangeRequest",
    "Environment",
    "ExpiryNotice",
    "Repository",
    "RequestFileSync",
    "Run",
    "environment_name_validator",
]
