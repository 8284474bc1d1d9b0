"""Helpers shared by the data-service modules (rds, redshift, kms, logs)."""

import weakref
from typing import Any

from tf.utils import Diagnostics

from ..base import AwsResource
from ..errors import ProviderError
from ..types import Unknown

_SIBLING_CLIENTS: "weakref.WeakKeyDictionary[Any, dict[str, Any]]" = weakref.WeakKeyDictionary()


def known(value: Any) -> bool:
    return value is not None and value is not Unknown


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
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(
            aws_access_key_id=config.access_key,
            aws_secret_access_key=config.secret_key,
            aws_session_token=config.token,
            region_name=config.region,
        )
        cache[key] = session.client(
            service,
            endpoint_url=url,
            config=Config(
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=3,
                read_timeout=60,
                user_agent_extra="idp-sandbox-aws-provider",
            ),
        )
    return cache[key]


def _comparable(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


def changed(prior: dict, planned: dict, *names: str) -> bool:
    """Does the plan change any of ``names`` (unknown planned values count as no change)?"""
    return any(
        planned.get(n) is not Unknown and _comparable(planned.get(n)) != _comparable(prior.get(n)) for n in names
    )
