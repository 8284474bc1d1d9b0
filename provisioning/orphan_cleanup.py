"""Delete orphans the team picked: resources an interrupted apply left that the portal could not adopt.

The worker calls this before it plans a retry (provisioning/executor.py), and only for resources that still
carry the environment's tag and that no state holds: a resource adopted or created meanwhile is never touched.
Dependents go first (an instance before its subnet, a subnet before its VPC), so one pass deletes a whole tree.
"""

from __future__ import annotations

from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from provisioning.reconcile import CloudResource, client


class CleanupFailed(Exception):
    """The cloud refused to delete one of them: its words, and what was deleted before it (`deleted`)."""

    def __init__(self, message: str, deleted: list[CloudResource]):
        super().__init__(message)
        self.deleted = deleted


def _instance(resource: CloudResource, region: str) -> None:
    ec2 = client("ec2", region)
    ec2.terminate_instances(InstanceIds=[resource.id])
    ec2.get_waiter("instance_terminated").wait(InstanceIds=[resource.id], WaiterConfig={"Delay": 2, "MaxAttempts": 90})


def _bucket(resource: CloudResource, region: str) -> None:
    s3 = client("s3", region)
    # Versions and delete markers too: a versioned bucket is not empty until both are gone.
    while True:
        listed = s3.list_object_versions(Bucket=resource.id)
        keys = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in listed.get("Versions", []) + listed.get("DeleteMarkers", [])
        ]
        if not keys:
            break
        s3.delete_objects(Bucket=resource.id, Delete={"Objects": keys, "Quiet": True})
    s3.delete_bucket(Bucket=resource.id)


def _event_rule(resource: CloudResource, region: str) -> None:
    events = client("events", region)
    bus, _, name = resource.id.rpartition("/")
    where = {"EventBusName": bus} if bus else {}
    targets = [t["Id"] for t in events.list_targets_by_rule(Rule=name, **where)["Targets"]]
    if targets:
        events.remove_targets(Rule=name, Ids=targets, **where)
    events.delete_rule(Name=name, **where)


def _notebook(resource: CloudResource, region: str) -> None:
    sagemaker = client("sagemaker", region)
    status = sagemaker.describe_notebook_instance(NotebookInstanceName=resource.id)["NotebookInstanceStatus"]
    if status not in ("Stopped", "Failed"):
        sagemaker.stop_notebook_instance(NotebookInstanceName=resource.id)
        sagemaker.get_waiter("notebook_instance_stopped").wait(NotebookInstanceName=resource.id)
    sagemaker.delete_notebook_instance(NotebookInstanceName=resource.id)


# In the order they are deleted: what lives in a VPC before the VPC, targets before their rules.
DELETERS: dict[str, Callable[[CloudResource, str], None]] = {
    "aws_instance": _instance,
    "aws_sagemaker_notebook_instance": _notebook,
    "aws_flow_log": lambda r, region: client("ec2", region).delete_flow_logs(FlowLogIds=[r.id]),
    "aws_vpc_endpoint": lambda r, region: client("ec2", region).delete_vpc_endpoints(VpcEndpointIds=[r.id]),
    "aws_cloudwatch_event_rule": _event_rule,
    "aws_sfn_state_machine": lambda r, region: client("stepfunctions", region).delete_state_machine(
        stateMachineArn=r.id
    ),
    "aws_security_group": lambda r, region: client("ec2", region).delete_security_group(GroupId=r.id),
    "aws_subnet": lambda r, region: client("ec2", region).delete_subnet(SubnetId=r.id),
    "aws_vpc": lambda r, region: client("ec2", region).delete_vpc(VpcId=r.id),
    "aws_s3_bucket": _bucket,
    "aws_cloudwatch_log_group": lambda r, region: client("logs", region).delete_log_group(logGroupName=r.id),
    "aws_sns_topic": lambda r, region: client("sns", region).delete_topic(TopicArn=r.id),
}
ORDER = list(DELETERS)


def deletable(resource: CloudResource) -> bool:
    """A VPC's default security group goes with its VPC; a type the portal cannot name it cannot delete."""
    return resource.type in DELETERS


def delete(resources: list[CloudResource], region: str, say: Callable[[str], None]) -> list[CloudResource]:
    """Delete `resources` dependents first; returns them in the order deleted. CleanupFailed on the first refusal."""
    done = []
    for resource in sorted(resources, key=lambda r: (ORDER.index(r.type), r.arn)):
        say(f"deleting {resource.type} {resource.id}\n")
        try:
            DELETERS[resource.type](resource, region)
        except (BotoCoreError, ClientError) as exc:
            deleted = ", ".join(r.id for r in done) or "nothing"
            raise CleanupFailed(
                f"The cloud refused to delete {resource.arn}: {exc}. Deleted before it: {deleted}. Delete it by "
                "hand (or leave it out), then retry.",
                done,
            ) from None
        done.append(resource)
    return done
