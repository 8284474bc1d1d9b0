"""Keys the platform team provides in every account and region, created here in the sandbox cloud.

Patterns whose data is `internal` (message-queue, dev-environment) encrypt their alarm topic with
this shared key instead of a key of their own: a customer-managed key in a pattern makes every
create a security review (the `identity-and-keys` approval rule), which would break their promise
of minutes without a ticket. CloudWatch cannot publish to a topic under the AWS-managed
`alias/aws/sns` key, so the platform's key grants CloudWatch what it needs. On AWS the platform
team creates it once per account and region (README, "Platform prerequisites"); in the sandbox
the portal creates it in moto before a run, since moto forgets everything when it stops.
"""

from __future__ import annotations

import json
from typing import Any

ALARM_KEY_ALIAS = "alias/idp-platform-alarms"


def alarm_key_policy(account_id: str) -> str:
    """The key policy: the account administers the key, CloudWatch alarms may publish to topics under it."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "CloudWatchAlarmsPublishToAlarmTopics",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                },
            ],
        }
    )


def ensure_alarm_key(kms: Any, account_id: str) -> str:
    """The ARN of the platform's alarm key in the client's region, created with its alias if missing."""
    found = _aliased_key_arn(kms)
    if found:
        return found
    key = kms.create_key(
        Description="IDP platform: alarm notification topics of internal-data patterns",
        Policy=alarm_key_policy(account_id),
        Tags=[{"TagKey": "managed-by", "TagValue": "idp-portal"}],
    )["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    try:
        kms.create_alias(AliasName=ALARM_KEY_ALIAS, TargetKeyId=key["KeyId"])
    except kms.exceptions.AlreadyExistsException:  # another worker got there first: use its key
        kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
        return _aliased_key_arn(kms)
    return key["Arn"]


def _aliased_key_arn(kms: Any) -> str | None:
    for page in kms.get_paginator("list_aliases").paginate():
        for alias in page["Aliases"]:
            if alias["AliasName"] == ALARM_KEY_ALIAS and alias.get("TargetKeyId"):
                return kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["Arn"]
    return None


def ensure_sandbox_platform_keys(endpoint: str, region: str) -> str:
    """Create the platform's keys in the sandbox cloud at ``endpoint`` (idempotent); the alarm key's ARN."""
    import boto3

    session = boto3.session.Session(aws_access_key_id="sandbox", aws_secret_access_key="sandbox", region_name=region)
    account = session.client("sts", endpoint_url=endpoint).get_caller_identity()["Account"]
    return ensure_alarm_key(session.client("kms", endpoint_url=endpoint), account)
