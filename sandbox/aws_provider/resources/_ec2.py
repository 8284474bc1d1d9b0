"""Helpers shared by the EC2/VPC resource modules."""

from typing import Any

from ..base import AwsResource, dict_to_tag_list, retry_while_busy, tag_list_to_dict
from ..types import Unknown


def tag_specifications(resource_type: str, tags: dict | None) -> list[dict]:
    """EC2 ``TagSpecifications`` so the object is tagged atomically on creation."""
    if not tags or tags is Unknown:
        return []
    return [{"ResourceType": resource_type, "Tags": dict_to_tag_list(tags)}]


def update_tags(resource: AwsResource, resource_id: str, prior: dict, planned: dict) -> None:
    client = resource.provider.client("ec2")
    resource.apply_tags_diff(
        prior,
        planned,
        untag=lambda keys: client.delete_tags(Resources=[resource_id], Tags=[{"Key": k} for k in keys]),
        tag=lambda tags: client.create_tags(Resources=[resource_id], Tags=dict_to_tag_list(tags)),
    )


def delete_with_retry(fn: Any, what: str, gone_codes: tuple[str, ...] = (), timeout: float = 120.0) -> None:
    """Delete, retrying while AWS still reports dependencies (ENIs, rules, associations).

    An error code in ``gone_codes`` means the object is already gone: success."""
    retry_while_busy(
        fn,
        busy=("DependencyViolation", "InvalidGroup.InUse"),
        gone=gone_codes,
        what=f"{what} to have no dependencies",
        timeout=timeout,
    )


def aws_tags(item: dict) -> dict[str, str]:
    return tag_list_to_dict(item.get("Tags"))
