"""Which orphan goes to which address: only where the interrupted plan leaves no doubt."""

from provisioning.reconcile import CloudResource, _identify, find_orphans, plan_adoption

VPC = CloudResource("arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1", "aws_vpc", "vpc-1")
OTHER_VPC = CloudResource("arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-2", "aws_vpc", "vpc-2")
BUCKET = CloudResource("arn:aws:s3:::box-1-scratch", "aws_s3_bucket", "box-1-scratch")
QUEUE = CloudResource("arn:aws:sqs:eu-west-1:123456789012:box", None, "box")


def plan(*creates: tuple[str, str]) -> dict:
    return {"resource_changes": [{"address": a, "type": t, "mode": "managed", "change": {"actions": ["create"]}}
                                 for a, t in creates]}  # fmt: skip


def state(*resources: tuple[str, str]) -> dict:
    return {"values": {"root_module": {"child_modules": [{"resources": [
        {"address": a, "mode": "managed", "values": {"id": i}} for a, i in resources]}]}}}  # fmt: skip


def test_what_the_state_holds_is_no_orphan():
    assert find_orphans([VPC, BUCKET], state(("module.pattern.aws_vpc.this", "vpc-1"))) == [BUCKET]


def test_one_orphan_for_one_planned_address_is_adopted():
    adoption = plan_adoption([VPC, BUCKET], plan(("m.aws_vpc.this", "aws_vpc"), ("m.aws_s3_bucket.b", "aws_s3_bucket")),
                             state())  # fmt: skip
    assert adoption.imports == [("m.aws_s3_bucket.b", BUCKET), ("m.aws_vpc.this", VPC)]
    assert adoption.unresolved == []


def test_two_orphans_for_one_address_are_listed_not_guessed():
    adoption = plan_adoption([VPC, OTHER_VPC], plan(("m.aws_vpc.this", "aws_vpc")), state())
    assert adoption.imports == []
    assert [item["id"] for item in adoption.unresolved] == ["vpc-1", "vpc-2"]
    assert "2 aws_vpc found for 1 planned (m.aws_vpc.this)" in adoption.unresolved[0]["reason"]


def test_an_address_already_in_state_is_not_a_candidate():
    adoption = plan_adoption([OTHER_VPC], plan(("m.aws_vpc.this", "aws_vpc")), state(("m.aws_vpc.this", "vpc-1")))
    assert adoption.imports == []
    assert "created no aws_vpc that the state lacks" in adoption.unresolved[0]["reason"]


def test_a_type_the_portal_cannot_tell_is_listed():
    adoption = plan_adoption([QUEUE], plan(("m.aws_sqs_queue.q", "aws_sqs_queue")), state())
    assert adoption.imports == [] and adoption.unresolved[0]["arn"] == QUEUE.arn


def test_orphans_of_one_type_are_told_apart_by_the_names_the_plan_knew():
    logs = CloudResource("arn:aws:s3:::box-1-flow-logs", "aws_s3_bucket", "box-1-flow-logs")
    named = {"resource_changes": [
        {"address": a, "type": "aws_s3_bucket", "mode": "managed", "change": {"actions": ["create"], "after": {"bucket": n}}}
        for a, n in (("m.aws_s3_bucket.scratch", "box-1-scratch"), ("m.aws_s3_bucket.flow_logs", "box-1-flow-logs"))
    ]}  # fmt: skip
    adoption = plan_adoption([BUCKET, logs], named, state())
    assert adoption.imports == [("m.aws_s3_bucket.flow_logs", logs), ("m.aws_s3_bucket.scratch", BUCKET)]
    assert adoption.unresolved == []


def test_a_state_machine_and_a_schedule_rule_are_told_by_their_arns():
    machine = "arn:aws:states:eu-west-1:123456789012:stateMachine:box"
    rule = "arn:aws:events:eu-west-1:123456789012:rule/box-schedule"

    assert _identify([machine, rule], "eu-west-1") == [
        CloudResource(rule, "aws_cloudwatch_event_rule", "box-schedule"),
        CloudResource(machine, "aws_sfn_state_machine", machine),
    ]


def test_a_notebook_and_a_vpc_endpoint_are_told_by_their_arns():
    notebook = "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/ml-env-7"
    endpoint = "arn:aws:ec2:eu-west-1:123456789012:vpc-endpoint/vpce-1"
    assert _identify([notebook, endpoint], "eu-west-1") == [
        CloudResource(endpoint, "aws_vpc_endpoint", "vpce-1"),
        CloudResource(notebook, "aws_sagemaker_notebook_instance", "ml-env-7"),
    ]
