"""Load balancer, WAF, SQS and SNS resources driven through the real terraform binary against a
real moto server: plan JSON shape, apply, in-place updates, replacement, drift and destroy.
The tests run in file order and share one apply (they are steps of one story).
"""

import json
import subprocess
from pathlib import Path

import pytest

from .conftest import free_port
from .helpers import actions, apply_stack, change, failing_plan, init_config, no_changes, resource, tags_of

pytestmark = pytest.mark.integration

EDGE_DIR = Path(__file__).parent / "edge"
DEFAULT_TAGS = {"idp:environment": "edge-test"}
UPDATED = {
    "owner_tag": "team-b",
    "idle_timeout": 120,
    "health_check_path": "/ready",
    "visibility_timeout": 60,
    "raw_message_delivery": False,
    "rate_limit": 1000,
}


@pytest.fixture(scope="module")
def edge(tmp_path_factory, terraform_env, moto_endpoint):
    return apply_stack(tmp_path_factory, terraform_env, moto_endpoint, EDGE_DIR)


def test_plan_shows_the_load_balancer_fields_policies_read(edge):
    lb = resource(edge.plan, "aws_lb.web")["values"]
    lb_unknown = change(edge.plan, "aws_lb.web")["after_unknown"]
    tg = resource(edge.plan, "aws_lb_target_group.app")["values"]
    listener = resource(edge.plan, "aws_lb_listener.http")["values"]
    association = change(edge.plan, "aws_wafv2_web_acl_association.web")

    assert lb["internal"] is False
    assert lb["load_balancer_type"] == "application"
    assert lb_unknown["security_groups"] is True  # wholly unknown until the group exists, as SDKv2 plans a set
    assert lb["idle_timeout"] == 60
    assert lb["enable_deletion_protection"] is False
    assert lb["drop_invalid_header_fields"] is False
    assert lb["tags_all"] == {**DEFAULT_TAGS, "Owner": "team-a"}
    assert tg["health_check"] == [
        {
            "enabled": True,
            "healthy_threshold": 3,
            "interval": 30,
            "matcher": "200-399",
            "path": "/health",
            "port": "traffic-port",
            "protocol": "HTTP",
            "unhealthy_threshold": 3,
        }
    ]
    assert tg["deregistration_delay"] == "300"
    assert (tg["port"], tg["protocol"], tg["target_type"]) == (8080, "HTTP", "ip")
    assert listener["port"] == 80 and listener["protocol"] == "HTTP"
    assert listener["default_action"][0]["type"] == "forward"
    assert listener["default_action"][0]["forward"] == []
    assert association["after_unknown"]["resource_arn"] is True
    assert association["after_unknown"]["web_acl_arn"] is True


def test_plan_shows_waf_blocks_like_the_real_provider(edge):
    acl = resource(edge.plan, "aws_wafv2_web_acl.web")["values"]
    acl_unknown = change(edge.plan, "aws_wafv2_web_acl.web")["after_unknown"]

    assert acl["scope"] == "REGIONAL"
    assert acl["default_action"] == [{"allow": [{"custom_request_handling": []}], "block": []}]
    assert acl["visibility_config"] == [
        {"cloudwatch_metrics_enabled": True, "metric_name": "edge", "sampled_requests_enabled": True}
    ]
    rules = {rule["name"]: rule for rule in acl["rule"]}
    common = rules["aws-common-rules"]
    assert common["priority"] == 1
    assert common["override_action"] == [{"count": [], "none": [{}]}]
    assert common["action"] == []
    managed = common["statement"][0]["managed_rule_group_statement"][0]
    assert (managed["name"], managed["vendor_name"]) == ("AWSManagedRulesCommonRuleSet", "AWS")
    rate = rules["rate-limit"]
    assert rate["action"][0]["block"] == [{"custom_response": []}]
    assert rate["statement"][0]["rate_based_statement"][0] == {
        "aggregate_key_type": "IP",
        "evaluation_window_sec": 300,
        "limit": 2000,
    }
    # Optional+Computed members of set elements are unknown until AWS answers, as in the real plan.
    managed_unknown = [
        r["statement"][0]["managed_rule_group_statement"][0]
        for r in acl_unknown["rule"]
        if r["statement"][0]["managed_rule_group_statement"]
    ]
    assert managed_unknown == [{"rule_action_override": [], "version": True}]
    assert acl_unknown["capacity"] is True and acl_unknown["lock_token"] is True
    assert acl["tags_all"] == {**DEFAULT_TAGS, "Owner": "team-a"}


def test_plan_shows_messaging_encryption_and_tags(edge):
    main = resource(edge.plan, "aws_sqs_queue.main")["values"]
    dlq = resource(edge.plan, "aws_sqs_queue.dead_letter")["values"]
    dlq_unknown = change(edge.plan, "aws_sqs_queue.dead_letter")["after_unknown"]
    topic = resource(edge.plan, "aws_sns_topic.events")["values"]
    subscription = resource(edge.plan, "aws_sns_topic_subscription.main")["values"]

    assert main["sqs_managed_sse_enabled"] is True
    assert main["kms_master_key_id"] is None
    assert (main["visibility_timeout_seconds"], main["message_retention_seconds"]) == (30, 345600)
    assert main["max_message_size"] == 262144
    assert main["tags_all"] == {**DEFAULT_TAGS, "Owner": "team-a"}
    assert dlq["kms_master_key_id"] == "alias/aws/sqs"
    assert dlq_unknown["sqs_managed_sse_enabled"] is True  # Optional+Computed, left to AWS
    assert dlq["tags"] is None and dlq["tags_all"] == DEFAULT_TAGS
    assert topic["kms_master_key_id"] == "alias/aws/sns"
    assert topic["fifo_topic"] is False
    assert subscription["protocol"] == "sqs"
    assert subscription["raw_message_delivery"] is True
    assert json.loads(subscription["filter_policy"]) == {"kind": ["order"]}


def test_apply_creates_the_load_balancer_listeners_and_target_group(edge, aws):
    elb = aws("elbv2")

    lb = elb.describe_load_balancers(LoadBalancerArns=[edge.outputs["lb_arn"]])["LoadBalancers"][0]
    assert lb["Scheme"] == "internet-facing"
    assert lb["Type"] == "application"
    assert len(lb["AvailabilityZones"]) == 2
    assert len(lb["SecurityGroups"]) == 1
    assert edge.outputs["lb_dns_name"] == lb["DNSName"]
    attributes = {
        a["Key"]: a["Value"]
        for a in elb.describe_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]
    }
    assert attributes["idle_timeout.timeout_seconds"] == "60"
    assert attributes["deletion_protection.enabled"] == "false"
    tg = elb.describe_target_groups(TargetGroupArns=[edge.outputs["target_group_arn"]])["TargetGroups"][0]
    assert (tg["Port"], tg["TargetType"], tg["HealthCheckPath"]) == (8080, "ip", "/health")
    assert tg["Matcher"] == {"HttpCode": "200-399"}
    listener = elb.describe_listeners(ListenerArns=[edge.outputs["listener_arn"]])["Listeners"][0]
    assert listener["DefaultActions"][0]["TargetGroupArn"] == tg["TargetGroupArn"]
    tags = elb.describe_tags(ResourceArns=[lb["LoadBalancerArn"], tg["TargetGroupArn"], listener["ListenerArn"]])
    for description in tags["TagDescriptions"]:
        assert tags_of(description["Tags"]) == {**DEFAULT_TAGS, "Owner": "team-a"}, description["ResourceArn"]


def test_web_acl_is_associated_with_the_load_balancer(edge, aws):
    waf = aws("wafv2")

    acl = waf.get_web_acl_for_resource(ResourceArn=edge.outputs["lb_arn"])["WebACL"]
    assert acl["ARN"] == edge.outputs["web_acl_arn"]
    assert {r["Name"] for r in acl["Rules"]} == {"aws-common-rules", "rate-limit"}
    assert acl["DefaultAction"] == {"Allow": {}}
    common = next(r for r in acl["Rules"] if r["Name"] == "aws-common-rules")
    assert common["OverrideAction"] == {"None": {}}
    assert common["Statement"]["ManagedRuleGroupStatement"]["VendorName"] == "AWS"
    tags = waf.list_tags_for_resource(ResourceARN=acl["ARN"])["TagInfoForResource"]["TagList"]
    assert tags_of(tags) == {**DEFAULT_TAGS, "Owner": "team-a"}


def test_queues_and_topic_are_encrypted_tagged_and_wired(edge, aws):
    sqs, sns = aws("sqs"), aws("sns")

    main = sqs.get_queue_attributes(QueueUrl=edge.outputs["queue_url"], AttributeNames=["All"])["Attributes"]
    dlq = sqs.get_queue_attributes(QueueUrl=edge.outputs["dead_letter_queue_url"], AttributeNames=["All"])["Attributes"]
    assert main["SqsManagedSseEnabled"] == "true"
    assert dlq["KmsMasterKeyId"] == "alias/aws/sqs"
    assert dlq["SqsManagedSseEnabled"] == "false"  # as AWS does when a KMS key is given
    assert json.loads(main["RedrivePolicy"]) == {"deadLetterTargetArn": dlq["QueueArn"], "maxReceiveCount": 5}
    policy = json.loads(main["Policy"])
    assert policy["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"] == edge.outputs["topic_arn"]
    assert sqs.list_queue_tags(QueueUrl=edge.outputs["queue_url"])["Tags"] == {**DEFAULT_TAGS, "Owner": "team-a"}
    topic = sns.get_topic_attributes(TopicArn=edge.outputs["topic_arn"])["Attributes"]
    assert topic["KmsMasterKeyId"] == "alias/aws/sns"
    assert tags_of(sns.list_tags_for_resource(ResourceArn=edge.outputs["topic_arn"])["Tags"]) == {
        **DEFAULT_TAGS,
        "Owner": "team-a",
    }
    subscription = sns.get_subscription_attributes(SubscriptionArn=edge.outputs["subscription_arn"])["Attributes"]
    assert subscription["Endpoint"] == main["QueueArn"]
    assert subscription["RawMessageDelivery"] == "true"
    assert json.loads(subscription["FilterPolicy"]) == {"kind": ["order"]}


def test_plan_right_after_apply_has_no_changes(edge):
    assert no_changes(edge.tf)


def test_changes_are_updated_in_place(edge, aws):
    edge.tf.write_vars(endpoint=edge.endpoint, **UPDATED)

    plan = edge.tf.plan_json()

    assert actions(plan) == {
        "aws_lb.web": ["update"],
        "aws_lb_target_group.app": ["update"],
        "aws_lb_listener.http": ["update"],
        "aws_wafv2_web_acl.web": ["update"],
        "aws_sns_topic.events": ["update"],
        "aws_sqs_queue.main": ["update"],
        "aws_sns_topic_subscription.main": ["update"],
    }
    assert change(plan, "aws_wafv2_web_acl.web")["after_unknown"]["lock_token"] is True
    edge.tf.apply_saved_plan()
    elb, waf, sqs, sns = aws("elbv2"), aws("wafv2"), aws("sqs"), aws("sns")
    attributes = {
        a["Key"]: a["Value"]
        for a in elb.describe_load_balancer_attributes(LoadBalancerArn=edge.outputs["lb_arn"])["Attributes"]
    }
    assert attributes["idle_timeout.timeout_seconds"] == "120"
    tg = elb.describe_target_groups(TargetGroupArns=[edge.outputs["target_group_arn"]])["TargetGroups"][0]
    assert tg["HealthCheckPath"] == "/ready"
    lb_tags = elb.describe_tags(ResourceArns=[edge.outputs["lb_arn"]])["TagDescriptions"][0]["Tags"]
    assert tags_of(lb_tags)["Owner"] == "team-b"
    acl = waf.get_web_acl_for_resource(ResourceArn=edge.outputs["lb_arn"])["WebACL"]
    rate = next(r for r in acl["Rules"] if r["Name"] == "rate-limit")
    assert rate["Statement"]["RateBasedStatement"]["Limit"] == 1000
    main = sqs.get_queue_attributes(QueueUrl=edge.outputs["queue_url"], AttributeNames=["All"])["Attributes"]
    assert main["VisibilityTimeout"] == "60"
    assert "Policy" in main  # the queue policy survives the queue's update
    subscription = sns.get_subscription_attributes(SubscriptionArn=edge.outputs["subscription_arn"])["Attributes"]
    assert subscription["RawMessageDelivery"] == "false"
    assert no_changes(edge.tf)


def test_renaming_the_web_acl_replaces_it_and_its_association(edge, aws):
    edge.tf.write_vars(endpoint=edge.endpoint, **UPDATED, waf_name="edge-acl-v2")

    plan = edge.tf.plan_json()

    assert actions(plan) == {
        "aws_wafv2_web_acl.web": ["delete", "create"],
        "aws_wafv2_web_acl_association.web": ["delete", "create"],
    }
    edge.tf.apply_saved_plan()
    outputs = edge.tf.outputs()
    waf = aws("wafv2")
    assert outputs["web_acl_arn"] != edge.outputs["web_acl_arn"]
    acl = waf.get_web_acl_for_resource(ResourceArn=edge.outputs["lb_arn"])["WebACL"]
    assert acl["ARN"] == outputs["web_acl_arn"]
    assert acl["Name"] == "edge-acl-v2"
    assert "edge-acl" not in {a["Name"] for a in waf.list_web_acls(Scope="REGIONAL")["WebACLs"]}
    edge.outputs = outputs
    assert no_changes(edge.tf)


def test_changing_internal_plans_a_load_balancer_replacement(edge):
    edge.tf.write_vars(endpoint=edge.endpoint, **UPDATED, waf_name="edge-acl-v2", internal=True)

    plan = edge.tf.plan_json()

    assert change(plan, "aws_lb.web")["actions"] == ["delete", "create"]
    assert change(plan, "aws_lb_listener.http")["actions"] == ["delete", "create"]
    assert change(plan, "aws_wafv2_web_acl_association.web")["actions"] == ["delete", "create"]
    edge.tf.write_vars(endpoint=edge.endpoint, **UPDATED, waf_name="edge-acl-v2")


def test_out_of_band_changes_are_detected_as_drift(edge, aws):
    elb, waf, sqs, sns = aws("elbv2"), aws("wafv2"), aws("sqs"), aws("sns")
    lb_arn = edge.outputs["lb_arn"]
    elb.add_tags(ResourceArns=[lb_arn], Tags=[{"Key": "rogue", "Value": "yes"}])
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=lb_arn, Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "30"}]
    )
    waf.disassociate_web_acl(ResourceArn=lb_arn)
    sns.unsubscribe(SubscriptionArn=edge.outputs["subscription_arn"])
    policy = sqs.get_queue_attributes(QueueUrl=edge.outputs["queue_url"], AttributeNames=["Policy"])["Attributes"]
    sqs.set_queue_attributes(QueueUrl=edge.outputs["queue_url"], Attributes={"VisibilityTimeout": "5", **policy})
    acl_id = edge.outputs["web_acl_arn"].rsplit("/", 1)[-1]
    found = waf.get_web_acl(Name="edge-acl-v2", Scope="REGIONAL", Id=acl_id)
    waf.update_web_acl(
        Name="edge-acl-v2",
        Scope="REGIONAL",
        Id=acl_id,
        LockToken=found["LockToken"],
        DefaultAction={"Block": {}},
        Rules=found["WebACL"]["Rules"],
        VisibilityConfig=found["WebACL"]["VisibilityConfig"],
    )

    plan = edge.tf.plan_json()

    assert actions(plan) == {
        "aws_lb.web": ["update"],
        "aws_wafv2_web_acl.web": ["update"],
        "aws_wafv2_web_acl_association.web": ["create"],
        "aws_sns_topic_subscription.main": ["create"],
        "aws_sqs_queue.main": ["update"],
    }
    acl_change = change(plan, "aws_wafv2_web_acl.web")
    assert acl_change["before"]["default_action"] == [{"allow": [], "block": [{"custom_response": []}]}]
    assert acl_change["after"]["default_action"] == [{"allow": [{"custom_request_handling": []}], "block": []}]
    lb_change = change(plan, "aws_lb.web")
    assert lb_change["before"]["tags"]["rogue"] == "yes"
    assert (lb_change["before"]["idle_timeout"], lb_change["after"]["idle_timeout"]) == (30, 120)
    queue_change = change(plan, "aws_sqs_queue.main")
    assert queue_change["before"]["visibility_timeout_seconds"] == 5
    edge.tf.apply_saved_plan()
    protection = waf.get_web_acl_for_resource(ResourceArn=lb_arn)["WebACL"]
    assert (protection["Name"], protection["DefaultAction"]) == ("edge-acl-v2", {"Allow": {}})
    assert "rogue" not in tags_of(elb.describe_tags(ResourceArns=[lb_arn])["TagDescriptions"][0]["Tags"])
    edge.outputs = edge.tf.outputs()
    assert no_changes(edge.tf)


def test_import_reads_objects_back_without_changes(edge):
    outputs = edge.outputs
    imports = {
        "aws_lb.web": outputs["lb_arn"],
        "aws_lb_target_group.app": outputs["target_group_arn"],
        "aws_lb_listener.http": outputs["listener_arn"],
        "aws_wafv2_web_acl.web": f"{outputs['web_acl_arn'].rsplit('/', 1)[-1]}/edge-acl-v2/REGIONAL",
        "aws_wafv2_web_acl_association.web": f"{outputs['web_acl_arn']},{outputs['lb_arn']}",
        "aws_sqs_queue.main": outputs["queue_url"],
        "aws_sqs_queue_policy.main": outputs["queue_url"],
        "aws_sns_topic.events": outputs["topic_arn"],
        "aws_sns_topic_subscription.main": outputs["subscription_arn"],
    }
    removed = subprocess.run(
        [edge.tf.binary, "state", "rm", *imports], cwd=edge.tf.workdir, env=edge.tf.env, capture_output=True, text=True
    )
    assert removed.returncode == 0, removed.stderr

    for address, import_id in imports.items():
        edge.tf.run("import", "-input=false", address, import_id)

    assert actions(edge.tf.plan_json()) == {}  # (outputs removed with the state entries come back)


def test_destroy_removes_everything(edge, aws):
    elb, waf, sqs, sns = aws("elbv2"), aws("wafv2"), aws("sqs"), aws("sns")

    edge.tf.run("destroy", "-input=false", "-auto-approve")

    assert not [lb for lb in elb.describe_load_balancers()["LoadBalancers"] if lb["LoadBalancerName"] == "edge-alb"]
    assert not [tg for tg in elb.describe_target_groups()["TargetGroups"] if tg["TargetGroupName"] == "edge-app"]
    assert not [a for a in waf.list_web_acls(Scope="REGIONAL")["WebACLs"] if a["Name"].startswith("edge-acl")]
    queues = sqs.list_queues(QueueNamePrefix="edge-").get("QueueUrls", [])
    assert queues == []
    assert edge.outputs["topic_arn"] not in {t["TopicArn"] for t in sns.list_topics()["Topics"]}


def test_unreachable_service_endpoints_give_the_sandbox_message(tmp_path, terraform_env):
    endpoint = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    tf = init_config(
        tmp_path,
        terraform_env,
        'provider "aws" {\n  region = "eu-west-1"\n  endpoints {\n'
        f'    sqs = "{endpoint}"\n    sns = "{endpoint}"\n  }}\n}}\n'
        'resource "aws_sqs_queue" "q" {\n  name = "unreachable"\n}\n'
        'resource "aws_sns_topic" "t" {\n  name = "unreachable"\n}\n',
    )

    output = failing_plan(tf)

    assert f"cannot reach the AWS API at {endpoint} — is the sandbox cloud (moto server) running?" in output


def test_invalid_names_are_refused_at_plan_time_as_by_the_real_provider(tmp_path, terraform_env, moto_endpoint):
    long_name = "a-very-long-environment-name-42"  # 31 characters: substr(..., 0, 32) leaves a trailing "-"
    tf = init_config(
        tmp_path,
        terraform_env,
        f'provider "aws" {{\n  region = "eu-west-1"\n  endpoints {{\n    elbv2 = "{moto_endpoint}"\n'
        f'    sqs = "{moto_endpoint}"\n    wafv2 = "{moto_endpoint}"\n  }}\n}}\n'
        f'resource "aws_lb_target_group" "app" {{\n  name = substr("{long_name}-app", 0, 32)\n'
        '  port = 80\n  protocol = "HTTP"\n  vpc_id = "vpc-12345678"\n}\n'
        'resource "aws_lb" "web" {\n  name = "internal-web"\n  subnets = ["subnet-1", "subnet-2"]\n}\n'
        'resource "aws_sqs_queue" "q" {\n  name = "orders.v2"\n}\n'
        'resource "aws_wafv2_web_acl" "acl" {\n  name = "edge acl"\n  scope = "REGIONAL"\n'
        "  default_action {\n    allow {}\n  }\n  visibility_config {\n    cloudwatch_metrics_enabled = false\n"
        '    metric_name = "edge"\n    sampled_requests_enabled = false\n  }\n}\n',
    )

    output = failing_plan(tf)

    assert f'"name" cannot end with a hyphen: "{long_name}-"' in output
    assert '"name" cannot begin with "internal-": "internal-web"' in output
    assert "invalid queue name: orders.v2" in output
    assert "invalid value for name (must contain only alphanumeric hyphen and underscore characters)" in output
