"""Start-up checks: a broken policy or approval rule stops the portal from starting."""

from django.core.checks import Error, Warning, register

from governance import policy
from governance.approval_rules import ApprovalRulesError, load_rules
from idp_portal import rego_engine


@register("governance")
def check_policies(app_configs, **kwargs):
    try:
        policy.load_policy_set()
    except policy.PolicyError as exc:
        return [
            Error(problem, hint="Fix the file; `manage.py check_policies` runs the policy tests.", id="governance.E001")
            for problem in exc.problems
        ]
    return []


@register("governance")
def check_approval_rules(app_configs, **kwargs):
    try:
        load_rules()
    except ApprovalRulesError as exc:
        return [Error(problem, id="governance.E002") for problem in exc.problems]
    return []


@register("governance")
def check_engine_load_order(app_configs, **kwargs):
    if rego_engine.LOADED_BEFORE_LIBSTDCXX is not False:
        return []
    return [
        Warning(
            "The Rego engine was loaded after libstdc++: every plan it evaluates leaks about 20 MB.",
            hint="Import idp_portal before any module that loads C++ code (greenlet, gevent); "
            "see idp_portal/rego_engine.py.",
            id="governance.W001",
        )
    ]
