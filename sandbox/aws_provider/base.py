"""Base classes and helpers shared by every sandbox resource and data source.

A resource subclasses ``AwsResource``, sets ``type_name``, ``service`` and ``schema`` and
implements ``create``/``read``/``update``/``delete`` on plain dict states (see README.md).
"""

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from tf.iface import _validate_config
from tf.schema import Schema
from tf.utils import Diagnostics

from .errors import NotFound, ProviderError, client_error_code
from .state import blank_state
from .types import Unknown

if TYPE_CHECKING:  # pragma: no cover
    from .provider import AwsProvider

T = TypeVar("T")


@dataclass
class ResourceContext:
    """What every resource operation gets besides the state.

    ``config`` is the resource's configuration as written (unknowns included) during plan and
    apply: use it for values the state does not keep verbatim (e.g. ``user_data``).
    ``partial_state``: set it in ``create`` as soon as the AWS object exists, so that a later
    failure still records the object in Terraform state (as tainted) instead of leaking it.
    ``requires_replace``: ``plan`` may append attribute paths (e.g. ``["user_data"]``) whose
    change forces a replacement beyond the schema's ``force_new`` flags.
    """

    diagnostics: Diagnostics
    type_name: str
    config: dict | None = None
    partial_state: dict | None = field(default=None)
    requires_replace: list = field(default_factory=list)


class _Base:
    type_name: ClassVar[str] = ""
    service: ClassVar[str] = ""
    schema: ClassVar[Schema]

    def __init__(self, provider: "AwsProvider"):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return cls.type_name

    @classmethod
    def get_schema(cls) -> Schema:
        return cls.schema

    def validate(self, diags: Diagnostics, type_name: str, config: dict) -> None:
        _validate_config(diags, type_name, config, self.schema.attributes, self.schema.block_types)

    @property
    def client(self) -> Any:
        """The boto3 client of ``service`` pointed at the sandbox endpoint."""
        return self.provider.client(self.service)

    @property
    def region(self) -> str:
        return self.provider.region

    def arn(self, service: str, resource: str, *, regional: bool = True, account: str | None = None) -> str:
        region = self.region if regional else ""
        return f"arn:aws:{service}:{region}:{account or self.provider.account_id()}:{resource}"


class AwsResource(_Base):
    """Base of every managed resource. Subclasses implement the four lifecycle methods."""

    def plan(self, ctx: ResourceContext, prior: dict | None, planned: dict) -> dict:
        """Adjust the planned state (after defaults, unknowns and tags_all are filled in)."""
        return planned

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        raise NotImplementedError

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        raise NotImplementedError

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        raise NotImplementedError

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        raise NotImplementedError

    def import_state(self, ctx: ResourceContext, id_: str) -> dict | None:
        return self.read(ctx, blank_state(self.schema, id=id_))

    # -- tags ------------------------------------------------------------------------------------

    def set_tags_from_aws(self, state: dict, aws_tags: dict[str, str]) -> dict:
        """Fill ``tags`` and ``tags_all`` from the tags found on the AWS object (like the real
        provider: ``tags`` = all tags minus provider default_tags, unless configured explicitly)."""
        tags_all = self.provider.without_ignored_tags(aws_tags)
        defaults = self.provider.default_tags()
        configured = state.get("tags") if isinstance(state.get("tags"), dict) else {}
        tags = {k: v for k, v in tags_all.items() if k in configured or k not in defaults or defaults[k] != v}
        state["tags_all"] = tags_all
        state["tags"] = tags if tags or state.get("tags") is not None else None
        return state

    @staticmethod
    def tags_diff(prior: dict | None, planned: dict) -> tuple[dict[str, str], list[str]]:
        """(tags to set, keys to remove) to go from prior ``tags_all`` to planned ``tags_all``."""
        old = (prior or {}).get("tags_all") or {}
        new = planned.get("tags_all") or {}
        upsert = {k: v for k, v in new.items() if old.get(k) != v}
        remove = [k for k in old if k not in new]
        return upsert, remove

    def apply_tags_diff(
        self,
        prior: dict | None,
        planned: dict,
        *,
        untag: Callable[[list[str]], object],
        tag: Callable[[dict[str, str]], object],
    ) -> None:
        """Go from prior to planned ``tags_all``: ``untag(keys)`` for removed keys first, then
        ``tag(tags)`` for new and changed ones (each only when there is something to do)."""
        upsert, remove = self.tags_diff(prior, planned)
        if remove:
            untag(remove)
        if upsert:
            tag(upsert)


class AwsDataSource(_Base):
    """Base of data sources: implement ``read(ctx, config) -> state``."""

    def read(self, ctx: ResourceContext, config: dict) -> dict | None:
        raise NotImplementedError


# -- helpers ---------------------------------------------------------------------------------------

_counter = itertools.count(1)


def known(value: Any) -> bool:
    """Neither null nor unknown (yet)."""
    return value is not None and value is not Unknown


def unique_name(prefix: str = "terraform-") -> str:
    """Like the real provider's id.PrefixedUniqueId: prefix + timestamp + counter."""
    return f"{prefix}{time.strftime('%Y%m%d%H%M%S')}{int(time.time() * 1e6) % 10**6:06d}{next(_counter):08x}"


def planned_name(planned: dict, default_prefix: str = "terraform-", *, attr: str = "name", suffix: str = "") -> str:
    """The name to create an object under: ``attr`` (e.g. ``name``) if known, else a unique name
    from ``<attr>_prefix`` (or ``default_prefix``) followed by ``suffix`` (SDKv2's create.Name)."""
    if known(planned[attr]):
        return planned[attr]
    prefix = planned[f"{attr}_prefix"]
    return unique_name(prefix if known(prefix) else default_prefix) + suffix


def wait_for(check: Callable[[], T | None], *, what: str, timeout: float = 120.0, interval: float = 0.25) -> T:
    """Poll ``check`` until it returns something other than None/False (moto is fast, AWS is not)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result is not None and result is not False:
            return result
        if time.monotonic() > deadline:
            raise ProviderError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def ignore_codes(fn: Callable[[], T], *codes: str) -> T | None:
    """Call ``fn``; answer None if it fails with one of the AWS error ``codes``."""
    from botocore.exceptions import ClientError

    try:
        return fn()
    except ClientError as exc:
        if client_error_code(exc) in codes:
            return None
        raise


def not_found_on(fn: Callable[[], T], *codes: str) -> T:
    """Call ``fn``; raise ``NotFound`` if it fails with one of the AWS error ``codes``."""
    from botocore.exceptions import ClientError

    try:
        return fn()
    except ClientError as exc:
        if client_error_code(exc) in codes:
            raise NotFound(client_error_code(exc)) from exc
        raise


def describe_one(
    client: Any,
    operation: str,
    list_key: str,
    not_found_codes: tuple[str, ...],
    *,
    match: Callable[[dict], bool] | None = None,
    **kwargs: Any,
) -> dict:
    """Call a ``Describe*`` operation expected to return one item (the first one ``match``
    accepts, if given), else raise NotFound; so do the error ``not_found_codes``."""
    items = not_found_on(lambda: getattr(client, operation)(**kwargs).get(list_key) or [], *not_found_codes)
    found = next((item for item in items if match is None or match(item)), None)
    if found is None:
        raise NotFound(operation)
    return found


def find_in_pages(client: Any, operation: str, list_key: str, match: Callable[[dict], bool], **kwargs: Any) -> dict:
    """The first item of a paginated ``List*``/``Describe*`` operation that ``match`` accepts, else NotFound."""
    for page in client.get_paginator(operation).paginate(**kwargs):
        for item in page.get(list_key, []):
            if match(item):
                return item
    raise NotFound(operation)


def wait_gone(describe: Callable[[], object], *, what: str, timeout: float = 120.0, interval: float = 0.25) -> None:
    """Poll ``describe`` until it raises NotFound: deletes wait until AWS reports the object gone."""

    def gone() -> bool:
        try:
            describe()
        except NotFound:
            return True
        return False

    wait_for(gone, what=what, timeout=timeout, interval=interval)


def retry_while_busy(
    fn: Callable[[], object],
    *,
    busy: tuple[str, ...],
    gone: tuple[str, ...] = (),
    what: str,
    timeout: float = 120.0,
    interval: float = 1.0,
) -> None:
    """Call ``fn`` (a delete) until AWS stops refusing it with one of the ``busy`` error codes
    (the object is still in use or changing). A ``gone`` code, or NotFound, means the object is
    already gone: success."""
    from botocore.exceptions import ClientError

    def attempt() -> bool:
        try:
            fn()
        except NotFound:
            return True
        except ClientError as exc:
            code = client_error_code(exc)
            if code in gone:
                return True
            if code in busy:
                return False
            raise
        return True

    wait_for(attempt, what=what, timeout=timeout, interval=interval)


def tag_list_to_dict(tags: list[dict] | None) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in tags or []}


def dict_to_tag_list(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]
