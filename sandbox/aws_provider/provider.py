"""The provider itself: its configuration schema (as in hashicorp/aws v5) and boto3 clients.

Where AWS calls go (the sandbox never talks to real AWS by accident):
  1. the provider's ``endpoints { <service> = "http://..." }`` block,
  2. else env ``AWS_ENDPOINT_URL_<SERVICE>`` (e.g. AWS_ENDPOINT_URL_S3, boto3's convention),
  3. else env ``AWS_ENDPOINT_URL``,
  4. else configuration fails with a clear error.
Credentials: ``access_key``/``secret_key`` from the provider block, else AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY, else dummy ones (moto accepts anything). No profile/credential files.
"""

import os
import socket
import sys
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tf.iface import DataSource, Provider, Resource
from tf.schema import Schema
from tf.utils import Diagnostics

from . import PROVIDER_ADDRESS
from .blocks import ListNestedBlock, SetNestedBlock
from .errors import ProviderError, unreachable_message
from .schema import optional
from .state import has_unknown
from .types import Bool, List, Map, Number, Set, String, Unknown

MOTO_ACCOUNT_ID = "123456789012"

# endpoints-block attribute -> boto3 service name. The real provider accepts many more keys;
# add one here when a new resource family needs it (a new key is also a schema change).
ENDPOINT_KEYS: dict[str, str] = {
    "acm": "acm",
    "apigateway": "apigateway",
    "autoscaling": "autoscaling",
    "budgets": "budgets",
    "ce": "ce",
    "cloudformation": "cloudformation",
    "cloudfront": "cloudfront",
    "cloudwatch": "cloudwatch",
    "cloudwatchlogs": "logs",
    "costexplorer": "ce",
    "dynamodb": "dynamodb",
    "ec2": "ec2",
    "ecr": "ecr",
    "ecs": "ecs",
    "efs": "efs",
    "eks": "eks",
    "elasticache": "elasticache",
    "elb": "elb",
    "elbv2": "elbv2",
    "events": "events",
    "firehose": "firehose",
    "iam": "iam",
    "kinesis": "kinesis",
    "kms": "kms",
    "lambda": "lambda",
    "logs": "logs",
    "organizations": "organizations",
    "rds": "rds",
    "redshift": "redshift",
    "resourcegroupstaggingapi": "resourcegroupstaggingapi",
    "route53": "route53",
    "sagemaker": "sagemaker",
    "s3": "s3",
    "s3control": "s3control",
    "secretsmanager": "secretsmanager",
    "ses": "ses",
    "sesv2": "sesv2",
    "sfn": "stepfunctions",
    "sns": "sns",
    "sqs": "sqs",
    "ssm": "ssm",
    "sts": "sts",
    "wafv2": "wafv2",
}

PROVIDER_SCHEMA = Schema(
    version=0,
    attributes=[
        optional("access_key", String()),
        optional("allowed_account_ids", Set(String())),
        optional("custom_ca_bundle", String()),
        optional("ec2_metadata_service_endpoint", String()),
        optional("ec2_metadata_service_endpoint_mode", String()),
        optional("forbidden_account_ids", Set(String())),
        optional("http_proxy", String()),
        optional("https_proxy", String()),
        optional("insecure", Bool()),
        optional("max_retries", Number()),
        optional("no_proxy", String()),
        optional("profile", String()),
        optional("region", String()),
        optional("retry_mode", String()),
        optional("s3_us_east_1_regional_endpoint", String()),
        optional("s3_use_path_style", Bool()),
        optional("secret_key", String()),
        optional("shared_config_files", List(String())),
        optional("shared_credentials_files", List(String())),
        optional("skip_credentials_validation", Bool()),
        optional("skip_metadata_api_check", String()),
        optional("skip_region_validation", Bool()),
        optional("skip_requesting_account_id", Bool()),
        optional("sts_region", String()),
        optional("token", String()),
        optional("token_bucket_rate_limiter_capacity", Number()),
        optional("use_dualstack_endpoint", Bool()),
        optional("use_fips_endpoint", Bool()),
    ],
    block_types=[
        ListNestedBlock(
            "assume_role",
            [
                optional("duration", String()),
                optional("external_id", String()),
                optional("policy", String()),
                optional("policy_arns", Set(String())),
                optional("role_arn", String()),
                optional("session_name", String()),
                optional("source_identity", String()),
                optional("tags", Map(String())),
                optional("transitive_tag_keys", Set(String())),
            ],
        ),
        ListNestedBlock("default_tags", [optional("tags", Map(String()))], max_items=1),
        SetNestedBlock("endpoints", [optional(key, String()) for key in sorted(ENDPOINT_KEYS)]),
        ListNestedBlock(
            "ignore_tags",
            [optional("key_prefixes", Set(String())), optional("keys", Set(String()))],
            max_items=1,
        ),
    ],
)


@dataclass
class ProviderConfig:
    region: str
    access_key: str
    secret_key: str
    token: str | None = None
    endpoints: dict[str, str] = field(default_factory=dict)  # boto3 service -> URL
    default_tags: Any = field(default_factory=dict)  # dict, or Unknown while planning
    ignore_tag_keys: frozenset[str] = frozenset()
    ignore_tag_prefixes: tuple[str, ...] = ()
    skip_requesting_account_id: bool = False

    @classmethod
    def from_terraform(cls, config: dict) -> "ProviderConfig":
        def get(name: str) -> Any:
            v = config.get(name)
            return None if v is Unknown else v

        region = get("region") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if not region:
            raise ProviderError(
                "missing AWS region",
                'Set `region = "..."` in the provider block or AWS_REGION in the environment.',
            )
        endpoints: dict[str, str] = {}
        for block in config.get("endpoints") or []:
            if block is Unknown:
                continue
            for key, url in block.items():
                if url and url is not Unknown and key in ENDPOINT_KEYS:
                    endpoints[ENDPOINT_KEYS[key]] = url
        default_tags: Any = {}
        for block in config.get("default_tags") or []:
            tags = block.get("tags") if block is not Unknown else Unknown
            if tags is Unknown or (isinstance(tags, dict) and Unknown in tags.values()):
                default_tags = Unknown
            elif tags:
                default_tags = {k: v for k, v in tags.items() if v is not None}
        keys: frozenset[str] = frozenset()
        prefixes: tuple[str, ...] = ()
        for block in config.get("ignore_tags") or []:
            keys = frozenset(block.get("keys") or [])
            prefixes = tuple(block.get("key_prefixes") or [])
        return cls(
            region=region,
            access_key=get("access_key") or os.environ.get("AWS_ACCESS_KEY_ID") or "sandbox",
            secret_key=get("secret_key") or os.environ.get("AWS_SECRET_ACCESS_KEY") or "sandbox",
            token=get("token") or os.environ.get("AWS_SESSION_TOKEN"),
            endpoints=endpoints,
            default_tags=default_tags,
            ignore_tag_keys=keys,
            ignore_tag_prefixes=prefixes,
            skip_requesting_account_id=bool(get("skip_requesting_account_id")),
        )

    def endpoint_for(self, service: str) -> tuple[str, str]:
        """(URL, where it came from) for a boto3 service name."""
        if service in self.endpoints:
            return self.endpoints[service], f"the provider's endpoints block ({service})"
        env_name = "AWS_ENDPOINT_URL_" + service.upper().replace("-", "_")
        for name in (env_name, "AWS_ENDPOINT_URL"):
            if os.environ.get(name):
                return os.environ[name], f"the environment variable {name}"
        raise ProviderError(
            f"no sandbox endpoint configured for the AWS service {service!r}",
            "This is the SANDBOX hashicorp/aws provider: it only talks to the sandbox cloud (moto "
            "server). Set AWS_ENDPOINT_URL or add the service to the provider's `endpoints` block.",
        )

    def configured_endpoints(self) -> dict[str, str]:
        urls = {url: f"the provider's endpoints block ({svc})" for svc, url in self.endpoints.items()}
        for name, value in os.environ.items():
            if name.startswith("AWS_ENDPOINT_URL") and value:
                urls.setdefault(value, f"the environment variable {name}")
        return urls


def probe(url: str, timeout: float = 2.0) -> bool:
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


class AwsProvider(Provider):
    def __init__(self) -> None:
        self.config: ProviderConfig | None = None
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._account_id: str | None = None

    # -- tf.iface.Provider -----------------------------------------------------------------------

    def get_model_prefix(self) -> str:
        return ""  # resource classes carry their full type name, e.g. "aws_vpc"

    def full_name(self) -> str:
        return PROVIDER_ADDRESS

    def get_provider_schema(self, diags: Diagnostics) -> Schema:
        return PROVIDER_SCHEMA

    def validate_config(self, diags: Diagnostics, config: dict) -> None:
        pass

    def configure_provider(self, diags: Diagnostics, config: dict) -> None:
        try:
            self.config = ProviderConfig.from_terraform(config or {})
        except ProviderError as exc:
            diags.add_error(exc.summary, exc.detail)
            return
        endpoints = self.config.configured_endpoints()
        if not endpoints:
            diags.add_error(
                "no sandbox AWS endpoint configured",
                "This is the SANDBOX hashicorp/aws provider: it only talks to the sandbox cloud (moto "
                "server). Set AWS_ENDPOINT_URL or the provider's `endpoints` block.",
            )
        for url, source in endpoints.items():
            if not probe(url):
                diags.add_error(
                    unreachable_message(url),
                    f"The endpoint comes from {source}. Start the sandbox cloud (moto_server) or fix it.",
                )

    def get_data_sources(self) -> list[type[DataSource]]:
        from .resources import all_data_sources

        return all_data_sources()

    def get_resources(self) -> list[type[Resource]]:
        from .resources import all_resources

        return all_resources()

    # -- for resources ---------------------------------------------------------------------------

    def _configured(self) -> ProviderConfig:
        if self.config is None:
            raise ProviderError("the sandbox AWS provider is not configured")
        return self.config

    @property
    def region(self) -> str:
        return self._configured().region

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._new_client(service)
            return self._clients[service]

    def _new_client(self, service: str) -> Any:
        url, _ = self._configured().endpoint_for(service)
        return self.client_at(service, url)

    def client_at(self, service: str, url: str) -> Any:
        """A new boto3 client of ``service`` at ``url`` with the provider's credentials and region."""
        import boto3
        from botocore.config import Config

        cfg = self._configured()
        session = boto3.session.Session(
            aws_access_key_id=cfg.access_key,
            aws_secret_access_key=cfg.secret_key,
            aws_session_token=cfg.token,
            region_name=cfg.region,
        )
        return session.client(
            service,
            endpoint_url=url,
            config=Config(
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=3,
                read_timeout=60,
                # moto serves every bucket on one host: virtual-host addressing cannot work.
                s3={"addressing_style": "path"},
                user_agent_extra="idp-sandbox-aws-provider",
            ),
        )

    def account_id(self) -> str:
        if self._account_id is None:
            account = MOTO_ACCOUNT_ID
            if not self._configured().skip_requesting_account_id:
                try:
                    account = self.client("sts").get_caller_identity()["Account"]
                except Exception as exc:  # noqa: BLE001 - fall back to moto's fixed account
                    print(f"[sandbox-aws] sts:GetCallerIdentity failed ({exc}); using {account}", file=sys.stderr)
            self._account_id = account
        return self._account_id

    def default_tags(self) -> dict[str, str]:
        tags = self._configured().default_tags
        return tags if isinstance(tags, dict) else {}

    def without_ignored_tags(self, tags: dict[str, str]) -> dict[str, str]:
        cfg = self._configured()
        return {
            k: v
            for k, v in tags.items()
            if k not in cfg.ignore_tag_keys and not any(k.startswith(p) for p in cfg.ignore_tag_prefixes)
        }

    def merged_tags(self, tags: dict | None) -> dict[str, str]:
        """default_tags overlaid with the resource's known ``tags``, less ignored keys: what the
        object is tagged with."""
        merged = dict(self.default_tags())
        merged.update({k: v for k, v in (tags or {}).items() if v is not None})
        return self.without_ignored_tags(merged)

    def plan_tags_all(self, tags: Any, prior: dict | None) -> Any:
        """``tags_all`` as the real provider plans it (SDKv2 resources' CustomizeDiff
        verify.SetTagsDiff, v5): unknown when a tag value or the default tags are unknown; unknown
        on create when there is nothing to tag with (no tags, no default tags), and whenever the
        tags change to nothing or to an empty value; else default_tags overlaid with the tags.
        ``prior`` is the prior state (None on create)."""
        defaults = self._configured().default_tags
        if defaults is Unknown or has_unknown(tags):
            return Unknown
        merged = self.merged_tags(tags)
        prior_tags_all = prior.get("tags_all") if prior is not None else None
        tags_changed = prior is None or (prior.get("tags") or {}) != (tags or {})
        if not merged or "" in merged.values():
            return Unknown if tags_changed or prior_tags_all != merged else prior_tags_all
        return merged
