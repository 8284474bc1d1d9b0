"""The governance story end to end on the sandbox: policy rejection mapped to the form field,
fix, approvals by the right groups only, the reviewed plan applied, notifications sent,
another team seeing none of it; a plan gone stale goes back to review.
"""

import subprocess

import pytest

from catalogue.parameters import defaults
from conftest import client_for, request_change
from governance.models import AuditEvent
from idp_portal.components import wait_for
from provisioning.choices import ChangeStatus, EnvironmentStatus, RunKind
from provisioning.models import ChangeRequest, Environment
from provisioning.runtime import cli_config_file, plugin_cache_dir, workspace_spec
from provisioning.terraform.workspace import BACKEND_CONFIG, PostgresState, write_workspace
from provisioning.terraform.workspace import environment as process_environment
from provisioning.tests.conftest import tagged_arns, wait_for_status

pytestmark = pytest.mark.integration


def form_data(pattern, team, name, **overrides):
    version = pattern.current_version
    values = {**defaults(version.parameters_schema), **overrides}
    data = {"pattern_version": version.pk, "team": team.pk, "name": name, "tier": "dev", "ttl_days": "", "reason": ""}
    for key, value in values.items():
        if isinstance(value, list):
            data[key] = "\n".join(value)
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        else:
            data[key] = value
    return data


def decide(user, change, group, decision, comment=""):
    return client_for(user).post(
        f"/approvals/{change.pk}/decide/",
        {"group": group, "decision": decision, "comment": comment},
        HTTP_HX_REQUEST="true",
    )


def test_an_open_database_is_rejected_fixed_approved_by_network_and_security_and_applied(
    sandbox, aws, catalogue, alice, bob, nina, sam, payments, slack, worker_mailbox
):
    payments.slack_webhook_url = slack.url
    payments.save()
    web_app = catalogue["web-app"]
    alice_client = client_for(alice)

    # given alice asks for the web application with its database open to the whole internet
    response = alice_client.post(
        "/catalogue/web-app/request/", form_data(web_app, payments, "shop", database_ingress_cidrs=["0.0.0.0/0"])
    )
    assert response.status_code == 302
    rejected = wait_for_status(ChangeRequest.objects.get(environment__name="shop"), ChangeStatus.REJECTED)

    # then the plan policy rejects it with that exact violation, mapped to the form field; nothing is built
    denial = next(r for r in rejected.denials if r["policy"] == "plan-no-open-ingress")
    assert denial["resource"] == "module.pattern.aws_security_group.database"
    assert denial["value"] == "0.0.0.0/0 to ports 5432-5432"
    assert denial["field"] == "database_ingress_cidrs"
    assert [r["policy"] for r in rejected.denials] == ["plan-no-open-ingress"]
    assert Environment.objects.get(pk=rejected.environment_id).status == EnvironmentStatus.WITHDRAWN
    assert tagged_arns(aws, rejected.environment) == {}
    assert not rejected.runs.filter(kind=RunKind.APPLY).exists()

    # and reopening the form shows the violation next to the field it came from
    page = alice_client.get(f"/catalogue/web-app/request/?from={rejected.pk}").content.decode()
    field_block = page.split('id="field-database_ingress_cidrs"')[1].split('<div class="field')[0]
    assert "0.0.0.0/0 to ports 5432-5432" in field_block
    assert "Replace these ranges with the networks that really need access" in field_block

    # when she fixes it, the change needs network and security approval
    response = alice_client.post(
        "/catalogue/web-app/request/", form_data(web_app, payments, "shop", database_ingress_cidrs=["10.20.0.0/16"])
    )
    assert response.status_code == 302
    change = ChangeRequest.objects.filter(environment__name="shop").latest("pk")
    change = wait_for_status(change, ChangeStatus.AWAITING_APPROVAL)
    assert sorted(change.requirements.values_list("group", flat=True)) == ["network", "security"]

    # alice cannot approve it, bob of analytics sees none of it
    assert decide(alice, change, "network", "approved").status_code == 403
    assert client_for(bob).get(f"/changes/{change.pk}/").status_code == 404
    assert client_for(bob).get(f"/environments/{change.environment_id}/").status_code == 404
    assert decide(bob, change, "network", "approved").status_code == 404
    assert f"#{change.pk}" not in client_for(bob).get("/approvals/").content.decode()
    # sam cannot approve for network
    assert decide(sam, change, "network", "approved").status_code == 403

    # when nina approves for network, it still waits for security
    assert f"#{change.pk}" in client_for(nina).get("/approvals/").content.decode()
    assert decide(nina, change, "network", "approved", "ALB only on 80/443").status_code == 200
    change.refresh_from_db()
    assert change.status == ChangeStatus.AWAITING_APPROVAL
    # and when sam approves for security, the reviewed plan is applied
    assert decide(sam, change, "security", "approved", "KMS key policy fine").status_code == 200
    change = wait_for_status(change, ChangeStatus.APPLIED, timeout=300)

    apply_run = change.runs.get(kind=RunKind.APPLY)
    assert change.plan_run_id == change.requirements.get(group="network").plan_run_id
    assert f"the plan reviewed in run #{change.plan_run_id}" in apply_run.log

    # the cloud has what was reviewed
    environment = Environment.objects.get(pk=change.environment_id)
    lb = aws("elbv2").describe_load_balancers(Names=[f"shop-{environment.pk}"])["LoadBalancers"][0]
    assert lb["Scheme"] == "internet-facing"
    acl = aws("wafv2").get_web_acl_for_resource(ResourceArn=lb["LoadBalancerArn"])["WebACL"]
    assert acl["Name"] == f"shop-{environment.pk}"
    database = aws("rds").describe_db_instances(DBInstanceIdentifier=f"shop-{environment.pk}")["DBInstances"][0]
    assert database["StorageEncrypted"] is True and database["PubliclyAccessible"] is False

    # everyone was told, on Slack and by e-mail; the audit log has every step
    wait_for(lambda: any("applied" in t for t in slack.texts()), 30, "the applied notification")
    texts = " ".join(slack.texts())
    for word in ("rejected", "waits for your review", "approved", "applied"):
        assert word in texts
    mails = "".join(p.read_text() for p in worker_mailbox.iterdir())
    assert "nina@example.com" in mails and "sam@example.com" in mails and "alice@example.com" in mails
    actions = set(AuditEvent.objects.filter(change_request=change).values_list("action", flat=True))
    assert {"change.submitted", "approval.given", "approval.denied", "change.approved", "change.applied"} <= actions
    assert AuditEvent.objects.filter(change_request=rejected, action="change.rejected").exists()


def test_a_plan_gone_stale_before_apply_is_planned_again_and_reviewed_again(
    sandbox, catalogue, alice, nina, sam, payments, tmp_path, settings
):
    # given a test-tier database change waiting for the network team (and for security: the
    # alarm topic's KMS key), security having approved already
    change = request_change(alice, payments, catalogue["postgres-database"], name="ledger", tier="test", ttl_days=30)
    change = wait_for_status(change, ChangeStatus.AWAITING_APPROVAL)
    first_plan = change.plan_run_id
    assert decide(sam, change, "security", "approved").status_code == 200

    # when somebody changes the environment's state behind the portal's back
    environment = Environment.objects.get(pk=change.environment_id)
    spec = workspace_spec(environment, change)
    assert isinstance(spec.state, PostgresState)
    folder = tmp_path / "behind-the-back"
    write_workspace(folder, spec)
    env = {
        **process_environment(spec, cli_config_file=cli_config_file(), plugin_cache_dir=plugin_cache_dir()),
        "TF_WORKSPACE": spec.state.workspace,
    }
    for argv in (
        ["init", "-input=false", f"-backend-config={BACKEND_CONFIG}"],
        ["apply", "-input=false", "-auto-approve", "-target=module.pattern.aws_vpc.this"],
    ):
        env_for_step = {k: v for k, v in env.items() if k != "TF_WORKSPACE"} if argv[0] == "init" else env
        done = subprocess.run(
            [settings.TERRAFORM_BIN, *argv], cwd=folder, env=env_for_step, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr

    # and nina approves the plan she reviewed
    assert decide(nina, change, "network", "approved").status_code == 200

    # then the stale plan is not applied: the change is planned again and waits for review again
    wait_for(
        lambda: (
            ChangeRequest.objects.get(pk=change.pk).plan_run_id not in (None, first_plan)
            and ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.AWAITING_APPROVAL
        ),
        180,
        "a new plan to wait for review",
    )
    change.refresh_from_db()
    assert AuditEvent.objects.filter(change_request=change, action="change.replanned").exists()
    old = change.requirements.get(plan_run_id=first_plan, group="network")
    assert old.superseded and old.approval.decision == "approved"
    assert change.requirements.get(superseded=False, group="network").plan_run_id == change.plan_run_id

    # and once approved again, the new plan is applied
    assert decide(sam, change, "security", "approved").status_code == 200
    assert decide(nina, change, "network", "approved").status_code == 200
    wait_for_status(change, ChangeStatus.APPLIED, timeout=300)


def test_a_failing_slack_webhook_never_blocks_a_change(sandbox, test_patterns, alice, payments):
    payments.slack_webhook_url = "http://127.0.0.1:9/hooks/unreachable"
    payments.save()

    change = request_change(alice, payments, test_patterns["scratch-bucket"], name="quiet")

    # then the change is applied although every notification to Slack failed
    wait_for_status(change, ChangeStatus.APPLIED)
