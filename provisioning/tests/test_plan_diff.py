"""The plan diff shows what will be created, updated, replaced and destroyed, never a secret."""

from provisioning.terraform.plan_diff import SENSITIVE, UNKNOWN, describe_plan, summary


def change(address, actions, before=None, after=None, unknown=None, after_sensitive=None, before_sensitive=None):
    return {
        "address": address,
        "type": address.split(".")[-2],
        "change": {
            "actions": actions,
            "before": before,
            "after": after,
            "after_unknown": unknown or {},
            "after_sensitive": after_sensitive or {},
            "before_sensitive": before_sensitive or {},
        },
    }


PLAN = {
    "resource_changes": [
        change("aws_s3_bucket.logs", ["create"], after={"bucket": "logs", "tags": {"team": "x"}, "acl": None},
               unknown={"arn": True}),
        change("aws_db_instance.db", ["update"], before={"instance_class": "db.t3.micro", "password": "a", "port": 5432},
               after={"instance_class": "db.t3.small", "password": "b", "port": 5432},
               after_sensitive={"password": True}, before_sensitive={"password": True}),
        change("aws_security_group.db", ["delete", "create"], before={"name": "old"}, after={"name": "new"}),
        change("aws_sqs_queue.q", ["delete"], before={"name": "q"}),
        change("aws_vpc.v", ["no-op"], before={"cidr_block": "10.0.0.0/16"}, after={"cidr_block": "10.0.0.0/16"}),
        change("data.aws_ami.os", ["read"]),
    ]
}  # fmt: skip


def test_each_action_is_named_and_ordered_destroy_first():
    rows = describe_plan(PLAN)

    assert [(r["action"], r["address"]) for r in rows] == [
        ("destroy", "aws_sqs_queue.q"),
        ("replace", "aws_security_group.db"),
        ("update", "aws_db_instance.db"),
        ("create", "aws_s3_bucket.logs"),
    ]
    assert summary(rows) == {"create": 1, "update": 1, "replace": 1, "destroy": 1}


def test_created_resources_show_set_and_unknown_values():
    created = next(r for r in describe_plan(PLAN) if r["action"] == "create")
    attributes = {a["name"]: a["after"] for a in created["attributes"]}

    assert attributes == {"arn": UNKNOWN, "bucket": "logs", "tags": '{"team": "x"}'}


def test_updates_show_only_what_changes_and_hide_sensitive_values():
    updated = next(r for r in describe_plan(PLAN) if r["action"] == "update")

    assert updated["attributes"] == [
        {"name": "instance_class", "before": "db.t3.micro", "after": "db.t3.small"},
        {"name": "password", "before": SENSITIVE, "after": SENSITIVE},
    ]


def test_sensitive_nested_values_are_masked():
    plan = {"resource_changes": [change("aws_x.y", ["create"], after={"config": {"password": "hunter2"}},
                                        after_sensitive={"config": {"password": True}})]}  # fmt: skip
    attributes = describe_plan(plan)[0]["attributes"]

    assert attributes == [{"name": "config", "before": None, "after": SENSITIVE}]


def test_state_resources_lists_managed_resources_of_every_module_with_their_tags():
    from provisioning.terraform.state import state_resources

    state = {
        "values": {
            "root_module": {
                "resources": [{"address": "data.aws_ami.os", "mode": "data", "type": "aws_ami", "values": {}}],
                "child_modules": [
                    {
                        "resources": [
                            {"address": "module.pattern.aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket",
                             "values": {"id": "b", "arn": "arn:aws:s3:::b", "tags_all": {"team": "x"}}},
                            {"address": "module.pattern.aws_s3_bucket_public_access_block.b", "mode": "managed",
                             "type": "aws_s3_bucket_public_access_block", "values": {"id": "b"}},
                        ]
                    }
                ],
            }
        }
    }  # fmt: skip

    assert state_resources(state, keep=frozenset({"arn"})) == [
        {"address": "module.pattern.aws_s3_bucket.b", "type": "aws_s3_bucket", "id": "arn:aws:s3:::b",
         "tags": {"team": "x"}, "values": {"arn": "arn:aws:s3:::b"}},
        {"address": "module.pattern.aws_s3_bucket_public_access_block.b", "type": "aws_s3_bucket_public_access_block",
         "id": "b", "tags": {}, "values": {}},
    ]  # fmt: skip
    # only the attributes asked for are kept: state holds secrets
    assert [r["values"] for r in state_resources(state)] == [{}, {}]


def drift_plan(*configured_types):
    """A refresh-only plan: a bucket's versioning and a topic's policy read back changed, one tag edited by hand."""
    resources = [{"address": f"{kind}.this", "type": kind, "name": "this"} for kind in configured_types]
    return {
        "configuration": {"root_module": {"module_calls": {"pattern": {"module": {"resources": resources}}}}},
        "resource_drift": [
            change("module.pattern.aws_s3_bucket.logs", ["update"], before={"versioning": [{"enabled": False}]},
                   after={"versioning": [{"enabled": True}]}),
            change("module.pattern.aws_sns_topic.alarms", ["update"], before={"policy": "{}"},
                   after={"policy": '{"Statement": []}'}),
            change("module.pattern.aws_s3_bucket.scratch", ["update"], before={"tags": {"team": "payments"}},
                   after={"tags": {"team": "someone-else"}}),
        ],
    }  # fmt: skip


def test_drift_leaves_out_what_a_sibling_resource_of_the_configuration_sets():
    from provisioning.terraform.plan_diff import describe_drift

    drift = describe_drift(drift_plan("aws_s3_bucket", "aws_s3_bucket_versioning", "aws_sns_topic_policy"))

    # the versioning resource and the topic policy set those values: the read-back is not drift; the tag is
    assert [(d["address"], [a["name"] for a in d["attributes"]]) for d in drift] == [
        ("module.pattern.aws_s3_bucket.scratch", ["tags"])
    ]


def test_drift_of_the_same_attributes_is_reported_when_nothing_else_sets_them():
    from provisioning.terraform.plan_diff import describe_drift

    drift = describe_drift(drift_plan("aws_s3_bucket", "aws_sns_topic"))

    assert [d["address"] for d in drift] == [
        "module.pattern.aws_s3_bucket.logs",
        "module.pattern.aws_s3_bucket.scratch",
        "module.pattern.aws_sns_topic.alarms",
    ]


def test_a_roles_inline_policies_read_back_are_not_drift_when_a_role_policy_sets_them():
    from provisioning.terraform.plan_diff import describe_drift

    plan = drift_plan("aws_iam_role", "aws_iam_role_policy")
    plan["resource_drift"] = [
        change("module.pattern.aws_iam_role.pipeline", ["update"], before={"inline_policy": []},
               after={"inline_policy": [{"name": "lake-and-logs", "policy": "{}"}]}),
    ]  # fmt: skip

    assert describe_drift(plan) == []
