"""Pure helpers of the edge and messaging resources (no Terraform, no moto)."""

from sandbox.aws_provider.resources._json import equivalent, normalize_json, state_json
from sandbox.aws_provider.resources.elbv2 import arn_suffix, expand_actions, flatten_actions, generated_name
from sandbox.aws_provider.resources.wafv2 import RULE, WebAcl, _Root, from_api, to_api
from sandbox.aws_provider.state import normalize
from sandbox.aws_provider.types import Unknown

API_RULE = {
    "Name": "common",
    "Priority": 1,
    "OverrideAction": {"None": {}},
    "Statement": {
        "ManagedRuleGroupStatement": {
            "VendorName": "AWS",
            "Name": "AWSManagedRulesCommonRuleSet",
            "RuleActionOverrides": [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}],
        }
    },
    "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": False, "MetricName": "c"},
    "RuleLabels": [{"Name": "team:web"}],
}


def test_waf_rule_round_trips_between_the_api_and_terraform_blocks():
    rule = from_api(RULE, API_RULE)

    assert rule["override_action"] == [{"count": [], "none": [{}]}]
    managed = rule["statement"][0]["managed_rule_group_statement"][0]
    assert managed["version"] == ""  # Optional+Computed: AWS's zero value
    assert managed["rule_action_override"][0]["action_to_use"][0]["count"] == [{"custom_request_handling": []}]
    assert rule["rule_label"] == [{"name": "team:web"}]
    assert rule["statement"][0]["rate_based_statement"] == []
    assert to_api(RULE, rule) == API_RULE


def test_waf_default_action_blocks_map_to_api_objects():
    schema = WebAcl.schema
    block_with_response = {
        "default_action": [
            {
                "allow": [],
                "block": [
                    {
                        "custom_response": [
                            {
                                "custom_response_body_key": None,
                                "response_code": 403,
                                "response_header": [{"name": "x-why", "value": "waf"}],
                            }
                        ]
                    }
                ],
            }
        ]
    }

    body = to_api(_Root(schema), normalize(schema, block_with_response))

    assert body == {
        "DefaultAction": {
            "Block": {"CustomResponse": {"ResponseCode": 403, "ResponseHeaders": [{"Name": "x-why", "Value": "waf"}]}}
        }
    }


def test_policy_documents_compare_by_meaning():
    written = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}'
    from_aws = (
        '{"Statement": [{"Resource": "*", "Action": ["sqs:SendMessage"], "Effect": "Allow"}], "Version": "2012-10-17"}'
    )

    assert equivalent(written, from_aws, policy=True)
    assert not equivalent(written, from_aws)  # plain JSON: a list is not a string
    assert state_json(written, from_aws, policy=True) == written  # the configured text is kept
    assert state_json(Unknown, from_aws, policy=True) == normalize_json(from_aws)
    assert state_json("x", None) == ""
    assert equivalent('{"maxReceiveCount": 5}', '{"maxReceiveCount": "5"}')


def test_listener_actions_keep_the_form_the_configuration_used():
    tg = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/app/abc"
    api = [
        {
            "Type": "forward",
            "Order": 1,
            "TargetGroupArn": tg,
            "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": tg, "Weight": 1}]},
        }
    ]

    short = flatten_actions(api, [{"type": "forward", "target_group_arn": tg, "forward": []}])
    block = flatten_actions(api, [{"type": "forward", "target_group_arn": None, "forward": [{"target_group": [{}]}]}])

    assert (short[0]["target_group_arn"], short[0]["forward"]) == (tg, [])
    assert block[0]["target_group_arn"] is None
    assert block[0]["forward"][0]["target_group"] == [{"arn": tg, "weight": 1}]
    assert expand_actions([{"type": "forward", "order": Unknown, "target_group_arn": tg, "forward": []}]) == [
        {"Type": "forward", "Order": 1, "TargetGroupArn": tg}
    ]


def test_names_and_arn_suffixes_follow_the_real_provider():
    lb = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
    tg = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/app/73e2d6bc24d8a067"

    assert arn_suffix(lb, "loadbalancer") == "app/web/50dc6c495c0c9188"
    assert arn_suffix(tg, "targetgroup") == "targetgroup/app/73e2d6bc24d8a067"
    generated = generated_name({"name": Unknown, "name_prefix": Unknown}, "tf-lb-")
    assert generated.startswith("tf-lb-") and len(generated) == 32
    assert generated_name({"name": "web", "name_prefix": None}, "tf-lb-") == "web"
