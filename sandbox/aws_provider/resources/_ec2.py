"""Helpers shared by the EC2/VPC resource modules."""

from typing import Any

from ..base import AwsResource, dict_to_tag_list, not_found_on, tag_list_to_dict, wait_for
from ..errors import NotFound, client_error_code
from ..types import Unknown


def tag_specifications(resource_type: str, tags: dict | None) -> list[dict]:
    """EC2 ``TagSpecifications`` so the object is tagged atomically on creation."""
    if not tags or tags is Unknown:
        return []
    return [{"ResourceType": resource_type, "Tags": dict_to_tag_list(tags)}]


def update_tags(resource: AwsResource, resource_id: str, prior: dict, planned: dict) -> None:
    upsert, remove = resource.tags_diff(prior, planned)
    client = resource.provider.client("ec2")
    if remove:
        client.delete_tags(Resources=[resource_id], Tags=[{"Key": k} for k in remove])
    if upsert:
        client.create_tags(Resources=[resource_id], Tags=dict_to_tag_list(upsert))


def describe_one(client: Any, operation: str, list_key: str, not_found_codes: tuple[str, ...], **kwargs: Any) -> dict:
    """Call an EC2 ``Describe*`` operation expected to return exactly one item, else NotFound."""
    items = not_found_on(lambda: getattr(client, operation)(**kwargs)[list_key], *not_found_codes)
    if not items:
        raise NotFound(operation)
    return items[0]


def delete_with_retry(fn: Any, what: str, gone_codes: tuple[str, ...] = (), timeout: float = 120.0) -> None:
    """Delete, retrying while AWS still reports dependencies (ENIs, rules, associations).

    An error code in ``gone_codes`` means the object is already gone: success."""
    from botocore.exceptions import ClientError

    def attempt() -> bool:
        try:
            fn()
            return True
        except ClientError as exc:
            code = client_error_code(exc)
            if code in gone_codes:
                return True
            if code in ("DependencyViolation", "InvalidGroup.InUse"):
                return False
            raise

    wait_for(attempt, what=f"{what} to have no dependencies", timeout=timeout, interval=1.0)


def aws_tags(item: dict) -> dict[str, str]:
    return tag_list_to_dict(item.get("Tags"))


def known(value: Any) -> bool:
    return value is not None and value is not Unknown
