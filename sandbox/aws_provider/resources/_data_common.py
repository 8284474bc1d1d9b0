"""Helpers shared by the data-service modules (rds, redshift, kms, logs)."""

import weakref
from collections.abc import Callable
from typing import Any

from tf.utils import Diagnostics

from ..base import AwsResource, dict_to_tag_list
from ..errors import ProviderError
from ..types import Unknown

_SIBLING_CLIENTS: "weakref.WeakKeyDictionary[Any, dict[str, Any]]" = weakref.WeakKeyDictionary()


def set_in_config(config: dict, name: str) -> bool:
    value = config.get(name)
    return value is not None and value is not False and value != ""


def conflicting(diags: Diagnostics, type_name: str, config: dict, *pairs: tuple[str, str]) -> None:
    """SDKv2's ConflictsWith: an error when both attributes of a pair are set."""
    for first, second in pairs:
        if set_in_config(config, first) and set_in_config(config, second):
            diags.add_error(
                "Invalid combination of arguments",
                f'"{first}": conflicts with {second} ({type_name})',
                path=[first],
            )


def sibling_client(resource: AwsResource, service: str) -> Any:
    """A boto3 client for ``service``; when no endpoint is configured for it, at the endpoint of
    ``resource.service``.

    The real AWS services call other services on the user's behalf (Redshift keeps a managed
    master password in Secrets Manager, RDS picks the ``aws/rds`` KMS key): a configuration that
    only names the resource's own service in ``endpoints`` must still work. The sandbox cloud
    serves every service on one endpoint, so the resource's endpoint is the right place.
    """
    provider = resource.provider
    config = provider.config
    if config is None:
        raise ProviderError("the sandbox AWS provider is not configured")
    try:
        config.endpoint_for(service)
        return provider.client(service)
    except ProviderError:
        pass
    url, _ = config.endpoint_for(resource.service)
    cache = _SIBLING_CLIENTS.setdefault(provider, {})
    key = f"{service}@{url}"
    if key not in cache:
        cache[key] = provider.client_at(service, url)
    return cache[key]


def _comparable(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


def changed(prior: dict, planned: dict, *names: str) -> bool:
    """Does the plan change any of ``names`` (unknown planned values count as no change)?"""
    return any(
        planned.get(n) is not Unknown and _comparable(planned.get(n)) != _comparable(prior.get(n)) for n in names
    )


def modified_args(prior: dict, planned: dict, table: dict[str, tuple[str, Callable[[Any], Any]]]) -> dict[str, Any]:
    """Modify* API arguments for the attributes of ``table`` (attribute -> (argument, conversion))
    that the plan changes to a non-null value."""
    return {
        arg: convert(planned[attr])
        for attr, (arg, convert) in table.items()
        if changed(prior, planned, attr) and planned[attr] is not None
    }


def fill_unset(state: dict, **defaults: Any) -> dict:
    """Arguments AWS does not report (apply_immediately, skip_final_snapshot, ...): null -> default."""
    for attr, default in defaults.items():
        if state[attr] is None:
            state[attr] = default
    return state


def update_tags_by_name(resource: AwsResource, arn: str, prior: dict, planned: dict, *, remove: str, add: str) -> None:
    """Tag changes through the RDS/Redshift-style tag operations (``ResourceName``, ``TagKeys``/``Tags``)."""
    client = resource.client
    resource.apply_tags_diff(
        prior,
        planned,
        untag=lambda keys: getattr(client, remove)(ResourceName=arn, TagKeys=keys),
        tag=lambda tags: getattr(client, add)(ResourceName=arn, Tags=dict_to_tag_list(tags)),
    )


def aws_managed_key_arn(resource: AwsResource, alias: str) -> str | None:
    """ARN of an AWS-managed KMS key (``alias/aws/rds``, ``alias/aws/secretsmanager``), which AWS
    uses when none is given; None when it cannot be read."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return sibling_client(resource, "kms").describe_key(KeyId=alias)["KeyMetadata"]["Arn"]
    except (ClientError, BotoCoreError):
        return None


def final_snapshot_args(current: dict, what: str, *, skip_arg: str, identifier_arg: str) -> dict[str, Any]:
    """Delete arguments for ``skip_final_snapshot`` / ``final_snapshot_identifier`` (RDS, Redshift);
    like the real provider, an identifier is required unless the snapshot is skipped."""
    if current["skip_final_snapshot"]:
        return {skip_arg: True}
    if not current["final_snapshot_identifier"]:
        raise ProviderError(f"deleting {what}: final_snapshot_identifier is required when skip_final_snapshot is false")
    return {skip_arg: False, identifier_arg: current["final_snapshot_identifier"]}
