"""Approval rules as data: the shipped file loads, bad rules are refused at load, and a change
needs exactly the reviewer groups its plan, tier, action and cost call for."""

from decimal import Decimal

import pytest
import yaml
from django.utils import timezone

from conftest import request_change
from costs.models import CostRecord
from governance import gates
from governance.approval_rules import (
    RULES_FILE,
    ApprovalRulesError,
    ChangeFacts,
    load_rules,
    required_groups,
    touched_types,
)
from governance.choices import AuditAction, ChangeAction
from governance.models import AuditEvent
from governance.tests.conftest import check_policies
from provisioning import costing, promotion
from provisioning.choices import ChangeStatus, RunKind
from provisioning.models import Environment
from provisioning.terraform.plan_diff import describe_plan
from provisioning.tests.plans import as_destroy_plan, captured_plan, finish_plan, planned_change

NETWORK_REASON = "Anything that opens a path from the internet is reviewed by the network team, in every tier."
NETWORK_BEYOND_DEV = "VPCs, subnets, routes and security groups outside development are reviewed by the network team."
SECURITY_REASON = "IAM and KMS keys (and their policies) are reviewed by the security team."
PRODUCTION = (
    "A production change that never ran in a lower tier of its promotion path is reviewed by the platform team."
)
PRODUCTION_DESTROY = "Destroying anything in production is reviewed by the platform team."
OVER_BUDGET = "A change that takes the team over its monthly budget is reviewed by finance."


def write_rules(tmp_path, *rules) -> object:
    path = tmp_path / "approval_rules.yaml"
    path.write_text(yaml.safe_dump({"rules": list(rules)}, sort_keys=False))
    return path


def refusal(path) -> list[str]:
    with pytest.raises(ApprovalRulesError) as refused:
        load_rules(path)
    return refused.value.problems


def rule(**overrides) -> dict:
    return {"id": "r", "description": "d", "when": {"tiers": ["prod"]}, "require": ["platform"], **overrides}


# -- loading ------------------------------------------------------------------------
def test_the_shipped_rules_load():
    rules = load_rules()
    assert [r.id for r in rules] == [
        "internet-entry-points",
        "network-beyond-dev",
        "identity-and-keys",
        "production-untested",
        "production-destroy",
        "over-budget",
        "stateful-replacement",
        "extension-beyond-maximum",
    ]
    assert all(r.description and r.require for r in rules)


@pytest.mark.parametrize(
    ("bad_rule", "problem"),
    [
        (
            rule(require=["sre"]),
            "approval_rules.yaml: rule 'r': unknown reviewer group 'sre'; use network, security, platform, finance",
        ),
        (
            rule(when={"resource_types": ["aws_secuirty_group"]}),
            "approval_rules.yaml: rule 'r': unknown resource type 'aws_secuirty_group' (did you mean aws_security_group?)",
        ),
        (
            rule(when={"resource_types": ["google_compute_instance"]}),
            "approval_rules.yaml: rule 'r': unknown resource type 'google_compute_instance'",
        ),
        (
            rule(when={"environment": "prod"}),
            "approval_rules.yaml: rule 'r': unknown condition 'environment'; use resource_types, actions, tiers, "
            "change_actions, min_monthly_cost, over_budget, untested_in_lower_tiers",
        ),
        (
            rule(when={"tiers": ["staging"]}),
            "approval_rules.yaml: rule 'r': tiers has unknown value 'staging'; use dev, test, prod",
        ),
        (rule(when={"tiers": "prod"}), "approval_rules.yaml: rule 'r': tiers must be a list"),
        (
            rule(when={"actions": ["delete"]}),
            "approval_rules.yaml: rule 'r': actions has unknown value 'delete'; use create, update, replace, destroy",
        ),
        (rule(require=[]), "approval_rules.yaml: rule 'r': `require` must list reviewer groups"),
        (rule(require=None), "approval_rules.yaml: rule 'r': `require` must list reviewer groups"),
        (
            rule(when={}),
            "approval_rules.yaml: rule 'r': `when` must name at least one condition (resource_types, actions, tiers, "
            "change_actions, min_monthly_cost, over_budget, untested_in_lower_tiers)",
        ),
        ("prod needs platform", "approval_rules.yaml: rule 1: must be a mapping with id, when and require"),
    ],
)
def test_a_bad_rule_is_refused_at_load_with_a_clear_message(tmp_path, bad_rule, problem):
    assert refusal(write_rules(tmp_path, bad_rule)) == [problem]


def test_every_problem_of_every_rule_is_reported_at_once(tmp_path):
    path = write_rules(tmp_path, rule(require=["sre"]), rule(id="r", when={"tiers": ["staging"]}))
    assert refusal(path) == [
        "approval_rules.yaml: rule 'r': unknown reviewer group 'sre'; use network, security, platform, finance",
        "approval_rules.yaml: rule 'r': the id is used twice",
        "approval_rules.yaml: rule 'r': tiers has unknown value 'staging'; use dev, test, prod",
    ]


@pytest.mark.parametrize("text", ["rules: {}", "- just a list", "rules: [", ""])
def test_a_file_without_a_list_of_rules_is_refused(tmp_path, text):
    path = tmp_path / "approval_rules.yaml"
    path.write_text(text)
    [problem] = refusal(path)
    assert problem.startswith(str(path))


def test_check_policies_refuses_bad_rules(tmp_path, monkeypatch):
    monkeypatch.setattr(load_rules, "__defaults__", (write_rules(tmp_path, rule(require=["sre"])),))
    failure, _, errors = check_policies()
    assert "approval rules are invalid" in failure
    assert "unknown reviewer group 'sre'" in errors


def test_a_change_planned_while_the_rules_are_broken_is_stopped(tmp_path, monkeypatch, alice, payments, catalogue):
    # given a change waiting for its plan check, and approval rules broken meanwhile
    change = request_change(alice, payments, catalogue["web-app"].current_version)
    monkeypatch.setattr(gates.approval_rules, "__defaults__", (write_rules(tmp_path, rule(require=["sre"])),))

    # when its plan is checked
    change = finish_plan(change, captured_plan("web-app-dev"))

    # then it fails closed: neither approved automatically nor sent to anyone
    assert change.status == ChangeStatus.FAILED
    assert "approval rules are broken" in change.failure_reason and "'sre'" in change.failure_reason
    assert not change.requirements.exists()
    assert not change.runs.filter(kind=RunKind.APPLY).exists()


# -- matching -------------------------------------------------------------------------
@pytest.fixture
def route(alice, catalogue):
    """required_approvals for a change of `pattern` with a real plan, in a tier, for an action, at a cost."""

    names = iter(range(1000))

    def required(fixture: str, *, tier="dev", action=ChangeAction.CREATE, cost=None) -> dict[str, list[str]]:
        pattern = fixture.rsplit("-", 1)[0]
        plan = captured_plan(fixture)
        if action == ChangeAction.DESTROY:
            plan = as_destroy_plan(plan)
        change = planned_change(
            alice,
            catalogue[pattern].current_version,
            plan,
            tier=tier,
            action=action,
            cost=cost,
            name=f"env-{next(names)}",
        )
        change.cost_delta = cost
        over = bool(cost is not None and costing.costs_input(change).get("over_budget"))
        untested = promotion.untested_in_lower_tiers(change)
        return gates.required_approvals(change, change.plan_run, over_budget=over, untested=untested)

    return required


def test_a_web_application_in_dev_needs_network_and_security(route):
    # given the web application's plan: load balancer, WAF, internet gateway, a KMS key
    assert route("web-app-dev") == {"network": [NETWORK_REASON], "security": [SECURITY_REASON]}


def test_a_data_pipeline_needs_security_for_its_key_and_roles_but_no_network_review(route):
    # given the pipeline's plan: a KMS key, two IAM roles and their policies, no VPC
    assert route("data-pipeline-dev") == {"security": [SECURITY_REASON]}


def test_a_dev_plan_of_network_basics_instance_and_bucket_needs_nobody(route):
    # given the development environment's plan: VPC (its default group closed) and its flow logs, subnet,
    # security group, instance, buckets, log group, the status-check alarm and its topic (under the platform's key)
    types = {c["type"] for c in describe_plan(captured_plan("dev-environment-dev"))}
    assert types == {
        "aws_cloudwatch_log_group", "aws_cloudwatch_metric_alarm", "aws_default_security_group", "aws_flow_log",
        "aws_instance", "aws_s3_bucket", "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_policy",
        "aws_s3_bucket_public_access_block", "aws_s3_bucket_server_side_encryption_configuration",
        "aws_s3_bucket_versioning", "aws_security_group", "aws_sns_topic", "aws_sns_topic_policy", "aws_subnet",
        "aws_vpc",
    }  # fmt: skip
    assert route("dev-environment-dev") == {}


def test_a_machine_learning_workload_in_dev_needs_security_and_in_test_network_too(route):
    # given its plan: an execution role and a KMS key; an isolated VPC whose S3 endpoint changes its routes
    assert route("ml-workload-dev") == {"security": [SECURITY_REASON]}
    assert route("ml-workload-dev", tier="test") == {"network": [NETWORK_BEYOND_DEV], "security": [SECURITY_REASON]}


def test_an_update_that_replaces_a_notebook_needs_platform():
    # a notebook replaced (a smaller volume, another subnet) loses the files on its volume
    replaced = facts(touched={"replace": {"aws_sagemaker_notebook_instance"}}, change_action="update")
    assert set(required_groups(load_rules(), replaced)) == {"platform"}
    assert required_groups(load_rules(), facts(touched={"update": {"aws_sagemaker_notebook_instance"}})) == {}


def test_the_same_plan_in_test_needs_network(route):
    assert route("dev-environment-dev", tier="test") == {"network": [NETWORK_BEYOND_DEV]}


def test_a_change_in_prod_that_no_lower_tier_ran_needs_platform(route):
    assert route("dev-environment-dev", tier="prod") == {"network": [NETWORK_BEYOND_DEV], "platform": [PRODUCTION]}
    assert route("message-queue-dev", tier="prod") == {"platform": [PRODUCTION]}
    assert route("web-app-dev", tier="prod") == {
        "network": [NETWORK_REASON, NETWORK_BEYOND_DEV],
        "platform": [PRODUCTION],
        "security": [SECURITY_REASON],
    }


def test_a_production_change_the_test_tier_already_runs_needs_no_platform(alice, payments, catalogue):
    version = catalogue["message-queue"].current_version
    # given the application's test environment running the same version with the same settings
    tested = Environment.objects.create(
        team=payments, name="orders-test", application="orders", tier="test", pattern_version=version,
        parameters={"message_retention_days": 4}, status="active", created_by=alice,
    )  # fmt: skip
    change = planned_change(alice, version, captured_plan("message-queue-dev"), tier="prod", name="orders-prod")
    Environment.objects.filter(pk=change.environment_id).update(application="orders")
    change.parameters = {"message_retention_days": 4}
    change.refresh_from_db(fields=["environment"])

    def required():
        untested = promotion.untested_in_lower_tiers(change)
        return gates.required_approvals(change, change.plan_run, untested=untested)

    assert required() == {}
    # when the test tier runs another setting, production would be its first run: the platform team reviews it
    tested.parameters = {"message_retention_days": 1}
    tested.save()
    assert required() == {"platform": [PRODUCTION]}


def test_a_destroy_in_prod_needs_platform_for_the_destruction(route):
    required = route("message-queue-dev", tier="prod", action=ChangeAction.DESTROY)
    assert required == {"platform": [PRODUCTION_DESTROY]}


def test_a_destroy_in_dev_needs_nobody(route):
    assert route("message-queue-dev", action=ChangeAction.DESTROY) == {}


def test_a_change_over_the_team_budget_needs_finance(route, payments, alice, catalogue):
    # given the payments team's budget of 5000 a month, of which 4990 are spent already
    assert payments.monthly_budget == Decimal(5000)
    spent = Environment.objects.create(
        team=payments, name="spent", tier="dev", pattern_version=catalogue["message-queue"].current_version,
        created_by=alice,
    )  # fmt: skip
    CostRecord.objects.create(environment=spent, day=timezone.now().date(), amount=Decimal(4990))

    # then a change whose cost this month goes over needs finance; a free one or an unknown one does not
    assert route("message-queue-dev", cost=Decimal(5000)) == {"finance": [OVER_BUDGET]}
    assert route("message-queue-dev", cost=Decimal(0)) == {}
    assert route("message-queue-dev", cost=None) == {}


def test_a_team_without_a_budget_never_needs_finance(route, payments):
    payments.monthly_budget = Decimal(0)
    payments.save()
    assert route("message-queue-dev", cost=Decimal(100000)) == {}


# -- the conditions, on facts -----------------------------------------------------------
def facts(tier="dev", touched=None, change_action="create", cost=None, over_budget=False) -> ChangeFacts:
    return ChangeFacts(
        touched=touched or {}, tier=tier, change_action=change_action, monthly_cost=cost, over_budget=over_budget
    )


def test_conditions_all_have_to_hold(tmp_path):
    rules = load_rules(
        write_rules(tmp_path, rule(when={"tiers": ["prod"], "resource_types": ["aws_kms_key"]}, require=["security"]))
    )
    kms = {"create": {"aws_kms_key"}}
    assert required_groups(rules, facts("prod", kms)) == {"security": ["d"]}
    assert required_groups(rules, facts("dev", kms)) == {}
    assert required_groups(rules, facts("prod", {"create": {"aws_sqs_queue"}})) == {}


def test_actions_restrict_which_plan_actions_count(tmp_path):
    rules = load_rules(
        write_rules(tmp_path, rule(when={"resource_types": ["aws_db_instance"], "actions": ["destroy", "replace"]}))
    )
    assert required_groups(rules, facts(touched={"replace": {"aws_db_instance"}})) == {"platform": ["d"]}
    assert required_groups(rules, facts(touched={"update": {"aws_db_instance"}})) == {}


def test_change_actions_and_minimum_cost(tmp_path):
    rules = load_rules(
        write_rules(
            tmp_path,
            rule(id="decommission", when={"change_actions": ["destroy"]}),
            rule(id="expensive", when={"min_monthly_cost": 1000}, require=["finance"]),
        )
    )
    assert required_groups(rules, facts(change_action="destroy")) == {"platform": ["d"]}
    assert required_groups(rules, facts(cost=Decimal(1000))) == {"finance": ["d"]}
    assert required_groups(rules, facts(cost=Decimal(999))) == {}
    assert required_groups(rules, facts(cost=None)) == {}


def test_touched_types_are_grouped_by_plan_action():
    changes = [
        {"type": "aws_vpc", "action": "create"},
        {"type": "aws_subnet", "action": "create"},
        {"type": "aws_db_instance", "action": "replace"},
    ]
    assert touched_types(changes) == {"create": {"aws_vpc", "aws_subnet"}, "replace": {"aws_db_instance"}}


# -- routing a planned change --------------------------------------------------------------
def test_a_change_nobody_needs_to_review_is_approved_and_applied_automatically(alice, payments, catalogue):
    # when a development environment within the rules has been planned
    change = finish_plan(
        request_change(alice, payments, catalogue["dev-environment"].current_version),
        captured_plan("dev-environment-dev"),
    )

    # then no human is asked: it is approved and the reviewed plan is queued for apply
    assert change.status == ChangeStatus.APPROVED
    assert not change.requirements.exists()
    apply_run = change.runs.get(kind=RunKind.APPLY)
    assert change.plan_run.kind == RunKind.PLAN and apply_run.pk != change.plan_run_id
    approved = AuditEvent.objects.get(change_request=change, action=AuditAction.CHANGE_APPROVED)
    assert approved.message == "No approval required: approved automatically." and approved.actor is None


def test_a_change_that_needs_review_waits_for_every_required_group(awaiting):
    assert awaiting.status == ChangeStatus.AWAITING_APPROVAL
    requirements = {r.group: r for r in awaiting.requirements.all()}
    assert sorted(requirements) == ["network", "security"]
    assert requirements["network"].reasons == [NETWORK_REASON]
    assert all(r.plan_run_id == awaiting.plan_run_id and not r.superseded for r in requirements.values())
    assert not awaiting.runs.filter(kind=RunKind.APPLY).exists()
    waiting = AuditEvent.objects.get(change_request=awaiting, action=AuditAction.CHANGE_AWAITING_APPROVAL)
    assert waiting.data["groups"] == ["network", "security"]


def test_the_shipped_rules_file_is_the_default():
    assert RULES_FILE.name == "approval_rules.yaml" and RULES_FILE.exists()
