"""After an interrupted apply: what carries the environment's tag in the cloud but is not in its state.

Terraform 1.0.3's `pg` backend writes state only when an apply ends: a crash that takes terraform down with
its worker leaves resources in the cloud that no state knows, and a retry would build them a second time (or
fail forever on a fixed name). Before anything else runs on such an environment the worker lists what carries
its `idp:environment` tag (Resource Groups Tagging API, then the service API where an ARN alone does not say
which Terraform type it is), adopts each orphan into state with `terraform import` where its address is
certain, and otherwise stops with the list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from provisioning.choices import RunKind, RunStatus
from provisioning.models import Run

TAG = "idp:environment"
GONE_INSTANCE_STATES = {"shutting-down", "terminated"}


class CloudUnreachable(Exception):
    """The cloud could not be asked what it holds: nothing was changed, a retry can help."""


@dataclass(frozen=True)
class CloudResource:
    arn: str
    type: str | None  # the Terraform resource type; None when the portal cannot tell
    id: str  # what `terraform import` takes for that type

    def as_dict(self) -> dict:
        return {"arn": self.arn, "type": self.type or "", "id": self.id}


@dataclass
class Adoption:
    imports: list[tuple[str, CloudResource]] = field(default_factory=list)  # (address, resource)
    unresolved: list[dict] = field(default_factory=list)  # {arn, type, id, reason}


def interrupted_apply(run: Run) -> Run | None:
    """The environment's last apply, when it did not succeed: the state may be missing what it created."""
    last = (
        Run.objects.filter(environment_id=run.environment_id, kind=RunKind.APPLY)
        .exclude(pk=run.pk)
        .select_related("change_request__plan_run")
        .order_by("-queued_at", "-pk")
        .first()
    )
    if last is None or last.status not in (RunStatus.FAILED, RunStatus.CANCELLED):
        return None
    return last


def client(service: str, region: str):
    options = {"region_name": region}
    if settings.SANDBOX_CLOUD:
        options.update(
            endpoint_url=settings.AWS_ENDPOINT_URL, aws_access_key_id="sandbox", aws_secret_access_key="sandbox"
        )
    return boto3.client(service, **options)


def tagged_resources(environment_id: int, region: str) -> list[CloudResource]:
    """Every live resource tagged with this environment, with its Terraform type where the portal can tell."""
    try:
        arns = []
        pages = client("resourcegroupstaggingapi", region).get_paginator("get_resources")
        for page in pages.paginate(TagFilters=[{"Key": TAG, "Values": [str(environment_id)]}]):
            arns += [item["ResourceARN"] for item in page["ResourceTagMappingList"]]
        return _identify(sorted(arns), region)
    except (BotoCoreError, ClientError) as exc:
        raise CloudUnreachable(
            f"Could not list the resources tagged {TAG}={environment_id} in {region}: {exc}. Nothing was changed; "
            "retry when the cloud answers."
        ) from None


def _identify(arns: list[str], region: str) -> list[CloudResource]:
    found, instances, groups = [], {}, {}
    for arn in arns:
        service, _, resource = _split(arn)
        kind, _, ident = resource.partition("/")
        if service == "s3" and "/" not in resource:
            found.append(CloudResource(arn, "aws_s3_bucket", resource))
        elif service == "logs" and resource.startswith("log-group:"):
            found.append(CloudResource(arn, "aws_cloudwatch_log_group", resource[10:].removesuffix(":*")))
        elif service == "ec2" and kind in ("vpc", "subnet"):
            found.append(CloudResource(arn, f"aws_{kind}", ident))
        elif service == "ec2" and kind in ("flow-log", "flow-logs", "vpc-flow-log"):
            found.append(CloudResource(arn, "aws_flow_log", ident))
        elif service == "ec2" and kind == "vpc-endpoint":
            found.append(CloudResource(arn, "aws_vpc_endpoint", ident))
        elif service == "sagemaker" and kind == "notebook-instance":
            found.append(CloudResource(arn, "aws_sagemaker_notebook_instance", ident))  # imported by its name
        elif service == "sns" and ":" not in resource:
            found.append(CloudResource(arn, "aws_sns_topic", arn))  # a topic is imported by its ARN
        elif service == "states" and resource.startswith("stateMachine:"):
            found.append(CloudResource(arn, "aws_sfn_state_machine", arn))  # imported by its ARN
        elif service == "events" and kind == "rule":
            # On the default bus the rule's import id is its name; on another bus `bus/name`.
            found.append(CloudResource(arn, "aws_cloudwatch_event_rule", ident))
        elif service == "ec2" and kind == "instance":
            instances[ident] = arn
        elif service == "ec2" and kind == "security-group":
            groups[ident] = arn
        else:
            found.append(CloudResource(arn, None, resource.rsplit("/", 1)[-1] or arn))
    ec2 = client("ec2", region) if instances or groups else None
    if instances:
        # A terminated instance keeps its tags for a while: it is gone, not an orphan.
        reservations = ec2.describe_instances(Filters=[{"Name": "instance-id", "Values": sorted(instances)}])[
            "Reservations"
        ]
        for instance in (i for r in reservations for i in r["Instances"]):
            if instance["State"]["Name"] not in GONE_INSTANCE_STATES:
                found.append(CloudResource(instances[instance["InstanceId"]], "aws_instance", instance["InstanceId"]))
    if groups:
        # A VPC's default group and a group of our own share one ARN form; only the group's name tells them apart.
        for group in ec2.describe_security_groups(Filters=[{"Name": "group-id", "Values": sorted(groups)}])[
            "SecurityGroups"
        ]:
            kind = "aws_default_security_group" if group["GroupName"] == "default" else "aws_security_group"
            found.append(CloudResource(groups[group["GroupId"]], kind, group["GroupId"]))
    return sorted(found, key=lambda r: r.arn)


def _split(arn: str) -> tuple[str, str, str]:
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return "", "", arn
    return parts[2], parts[3], parts[5]


def state_addresses_and_ids(state: dict) -> tuple[set[str], set[str]]:
    """Addresses and identifiers (id and arn) of every managed resource in `terraform show -json` state."""
    addresses, ids = set(), set()

    def walk(module: dict) -> None:
        for resource in module.get("resources", []):
            if resource.get("mode") != "managed":
                continue
            addresses.add(resource["address"])
            values = resource.get("values") or {}
            ids.update(str(values[key]) for key in ("id", "arn") if values.get(key))
        for child in module.get("child_modules", []):
            walk(child)

    walk((state.get("values") or {}).get("root_module") or {})
    return addresses, ids


def find_orphans(resources: list[CloudResource], state: dict) -> list[CloudResource]:
    _, ids = state_addresses_and_ids(state)
    return [r for r in resources if r.arn not in ids and r.id not in ids]


NAMING_ATTRIBUTES = ("bucket", "name", "arn", "id")
NAMED_BY_ID = {"aws_s3_bucket", "aws_cloudwatch_log_group"}


def _planned_names(after: dict | None) -> set[str]:
    """What a planned resource will be called, where the plan already knows it (a bucket's or a log group's name)."""
    return {after[key] for key in NAMING_ATTRIBUTES if isinstance((after or {}).get(key), str)}


def plan_adoption(orphans: list[CloudResource], plan_json: dict | None, state: dict) -> Adoption:
    """Which orphan goes to which address. Certain when the interrupted plan named it (a planned bucket, log group
    or topic name equal to the orphan's), or when the plan created exactly one resource of its type that the
    state lacks and exactly one orphan of that type is left (and, for a bucket or log group, its name fits)."""
    in_state, _ = state_addresses_and_ids(state)
    planned = defaultdict(list)
    for change in (plan_json or {}).get("resource_changes", []):
        creates = change.get("mode") == "managed" and "create" in change["change"]["actions"]
        if creates and change["address"] not in in_state:
            planned[change["type"]].append((change["address"], _planned_names(change["change"].get("after"))))
    by_type = defaultdict(list)
    for orphan in orphans:
        by_type[orphan.type].append(orphan)
    adoption = Adoption()
    for kind, found in sorted(by_type.items(), key=lambda item: item[0] or ""):
        candidates = list(planned.get(kind, [])) if kind else []
        left = []
        for orphan in found:
            known_as = {orphan.id, orphan.arn, orphan.arn.rsplit(":", 1)[-1]}
            named = [address for address, names in candidates if known_as & names]
            if len(named) == 1:
                adoption.imports.append((named[0], orphan))
                candidates = [c for c in candidates if c[0] != named[0]]
            else:
                left.append(orphan)
        if len(left) == 1 and len(candidates) == 1:
            # A bucket or log group IS its name: one whose planned name differs is somebody else's, not ours.
            address, names = candidates[0]
            if not (kind in NAMED_BY_ID and names and left[0].id not in names):
                adoption.imports.append((address, left[0]))
                continue
        if not left:
            continue
        if kind is None:
            reason = "a resource type the portal cannot import"
        elif not candidates:
            reason = f"the interrupted plan created no {kind} that the state lacks"
        else:
            reason = f"{len(left)} {kind} found for {len(candidates)} planned ({', '.join(a for a, _ in candidates)})"
        adoption.unresolved += [{**orphan.as_dict(), "reason": reason} for orphan in left]
    adoption.imports.sort(key=lambda item: item[0])
    return adoption


def describe_unresolved(environment_id: int, unresolved: list[dict]) -> str:
    lines = "\n".join(f"  - {item['arn']} ({item['reason']})" for item in unresolved)
    return (
        f"Found {len(unresolved)} resource(s) tagged {TAG}={environment_id} in the cloud that no state holds "
        f"and that the portal cannot adopt with certainty (an earlier apply was interrupted):\n{lines}\n"
        "Nothing was planned, so nothing is built twice. Delete them (or import them by hand), then retry."
    )
