"""KMS: aws_kms_key and aws_kms_alias (KMS API).

Schemas follow internal/service/kms/key.go and alias.go (v5). ``policy`` is kept as written
while AWS holds an equivalent document (like the real provider's PolicyToSet), so a re-plan of
a ``jsonencode(...)`` policy shows no change; a policy edited out of band shows up as drift.
Deleting a key schedules its deletion (``deletion_window_in_days``, AWS default 30); a key
pending deletion counts as gone.
"""

import json
from typing import Any

from ..base import (
    AwsDataSource,
    AwsResource,
    ResourceContext,
    find_in_pages,
    ignore_codes,
    known,
    not_found_on,
    planned_name,
    wait_gone,
)
from ..errors import NotFound, ProviderError, client_error_code
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..types import Bool, Number, String, Unknown
from ._data_common import conflicting

_NOT_FOUND = ("NotFoundException",)
_GONE_STATES = ("PendingDeletion", "PendingReplicaDeletion")
_DEFAULT_ROTATION_DAYS = 365
# Keys whose values IAM treats as a set of strings: "x" and ["x"] mean the same.
_SCALAR_KEYS = {"Version", "Id", "Sid", "Effect"}


def normalize_json(text: str) -> str:
    """Like the real provider's structure.NormalizeJsonString: compact, keys sorted."""
    return json.dumps(json.loads(text), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _canonical_policy(value: Any, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _canonical_policy(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical_policy(v, key) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, str) and key not in _SCALAR_KEYS and key is not None:
        return [value]
    return value


def policies_equivalent(a: str, b: str) -> bool:
    try:
        doc_a, doc_b = json.loads(a), json.loads(b)
    except (TypeError, ValueError):
        return False
    for doc in (doc_a, doc_b):
        if isinstance(doc, dict) and isinstance(doc.get("Statement"), dict):
            doc["Statement"] = [doc["Statement"]]
    return _canonical_policy(doc_a) == _canonical_policy(doc_b)


def policy_to_set(current: Any, remote: str) -> str:
    """The prior policy text if AWS holds an equivalent document, else AWS's (normalised)."""
    if isinstance(current, str) and current and policies_equivalent(current, remote):
        return current
    return normalize_json(remote)


class Key(AwsResource):
    type_name = "aws_kms_key"
    service = "kms"
    schema = resource_schema(
        computed("arn", String()),
        optional("bypass_policy_lockout_safety_check", Bool(), default=False),
        optional("customer_master_key_spec", String(), default="SYMMETRIC_DEFAULT", force_new=True),
        optional("deletion_window_in_days", Number()),
        optional("description", String(), computed=True),
        optional("enable_key_rotation", Bool(), default=False),
        optional("is_enabled", Bool(), default=True),
        computed("key_id", String()),
        optional("key_usage", String(), default="ENCRYPT_DECRYPT", force_new=True),
        optional("multi_region", Bool(), computed=True, force_new=True),
        optional("policy", String(), computed=True),
        optional("rotation_period_in_days", Number(), computed=True),
        *tags_attributes(),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        policy = config.get("policy")
        if isinstance(policy, str) and policy is not Unknown:
            try:
                json.loads(policy)
            except ValueError as exc:
                diags.add_error('"policy" contains an invalid JSON', str(exc), path=["policy"])
        days = config.get("deletion_window_in_days")
        if isinstance(days, (int, float)) and not 7 <= days <= 30:
            diags.add_error(
                f"expected deletion_window_in_days to be in the range (7 - 30), got {days}",
                path=["deletion_window_in_days"],
            )

    def plan(self, ctx: ResourceContext, prior: dict | None, planned: dict) -> dict:
        config = ctx.config or {}
        if (
            prior is not None
            and planned["enable_key_rotation"] != prior["enable_key_rotation"]
            and not known(config.get("rotation_period_in_days"))
        ):
            planned["rotation_period_in_days"] = Unknown
        return planned

    # -- lifecycle -------------------------------------------------------------------------------

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        args: dict[str, Any] = {
            "BypassPolicyLockoutSafetyCheck": bool(planned["bypass_policy_lockout_safety_check"]),
            "CustomerMasterKeySpec": planned["customer_master_key_spec"],
            "KeyUsage": planned["key_usage"],
        }
        if known(planned["description"]) and planned["description"]:
            args["Description"] = planned["description"]
        if known(planned["multi_region"]) and planned["multi_region"]:
            args["MultiRegion"] = True
        if known(planned["policy"]) and planned["policy"]:
            args["Policy"] = normalize_json(planned["policy"])
        if planned["tags_all"]:
            args["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in sorted(planned["tags_all"].items())]
        key_id = self.client.create_key(**args)["KeyMetadata"]["KeyId"]
        state = {**planned, "id": key_id}
        ctx.partial_state = state
        if planned["enable_key_rotation"]:
            self._set_rotation(key_id, True, planned["rotation_period_in_days"])
        if planned["is_enabled"] is False:
            self.client.disable_key(KeyId=key_id)
        return self.read(ctx, state)

    def _set_rotation(self, key_id: str, enabled: bool, period: Any) -> None:
        if enabled:
            args: dict[str, Any] = {"KeyId": key_id}
            if known(period) and period:
                args["RotationPeriodInDays"] = int(period)
            self.client.enable_key_rotation(**args)
        else:
            self.client.disable_key_rotation(KeyId=key_id)

    def _metadata(self, key_id: str) -> dict:
        metadata = not_found_on(lambda: self.client.describe_key(KeyId=key_id)["KeyMetadata"], *_NOT_FOUND)
        if metadata.get("KeyState") in _GONE_STATES:
            raise NotFound(metadata["KeyState"])  # the real provider treats these keys as deleted
        return metadata

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        key_id = current["id"] or current["key_id"]
        metadata = self._metadata(key_id)
        key_id = metadata["KeyId"]
        policy = self.client.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
        rotation, period = False, 0
        if metadata.get("Origin", "AWS_KMS") == "AWS_KMS":
            status = self.client.get_key_rotation_status(KeyId=key_id)
            rotation = bool(status.get("KeyRotationEnabled"))
            if rotation:
                configured = current.get("rotation_period_in_days")
                period = status.get("RotationPeriodInDays") or (
                    configured if known(configured) and configured else _DEFAULT_ROTATION_DAYS
                )
        tags: dict[str, str] = {}
        paginator = self.client.get_paginator("list_resource_tags")
        for page in paginator.paginate(KeyId=key_id):
            tags.update({t["TagKey"]: t.get("TagValue", "") for t in page.get("Tags", [])})
        state = dict(current)
        state.update(
            id=key_id,
            arn=metadata["Arn"],
            customer_master_key_spec=metadata.get("CustomerMasterKeySpec") or metadata.get("KeySpec"),
            description=metadata.get("Description", ""),
            enable_key_rotation=rotation,
            is_enabled=bool(metadata.get("Enabled")),
            key_id=key_id,
            key_usage=metadata.get("KeyUsage"),
            multi_region=bool(metadata.get("MultiRegion")),
            policy=policy_to_set(current.get("policy") if known(current.get("policy")) else None, policy),
            rotation_period_in_days=period,
            bypass_policy_lockout_safety_check=(
                current["bypass_policy_lockout_safety_check"]
                if current["bypass_policy_lockout_safety_check"] is not None
                else False
            ),
        )
        return self.set_tags_from_aws(state, tags)

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        key_id = prior["id"]
        if planned["is_enabled"] and not prior["is_enabled"]:
            self.client.enable_key(KeyId=key_id)  # before anything else: a disabled key cannot change
        rotation_changed = planned["enable_key_rotation"] != prior["enable_key_rotation"]
        period_changed = (
            known(planned["rotation_period_in_days"])
            and planned["rotation_period_in_days"] != prior["rotation_period_in_days"]
        )
        if rotation_changed or (planned["enable_key_rotation"] and period_changed):
            self._set_rotation(key_id, bool(planned["enable_key_rotation"]), planned["rotation_period_in_days"])
        if known(planned["description"]) and planned["description"] != prior["description"]:
            self.client.update_key_description(KeyId=key_id, Description=planned["description"])
        if known(planned["policy"]) and planned["policy"] != prior["policy"]:
            self.client.put_key_policy(
                KeyId=key_id,
                PolicyName="default",
                Policy=normalize_json(planned["policy"]),
                BypassPolicyLockoutSafetyCheck=bool(planned["bypass_policy_lockout_safety_check"]),
            )
        if planned["is_enabled"] is False and prior["is_enabled"]:
            self.client.disable_key(KeyId=key_id)
        self.apply_tags_diff(
            prior,
            planned,
            untag=lambda keys: self.client.untag_resource(KeyId=key_id, TagKeys=keys),
            tag=lambda tags: self.client.tag_resource(
                KeyId=key_id, Tags=[{"TagKey": k, "TagValue": v} for k, v in tags.items()]
            ),
        )
        return self.read(ctx, {**planned, "id": key_id})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        from botocore.exceptions import ClientError

        key_id = current["id"]
        args: dict[str, Any] = {"KeyId": key_id}
        if known(current["deletion_window_in_days"]):
            args["PendingWindowInDays"] = int(current["deletion_window_in_days"])
        try:
            self.client.schedule_key_deletion(**args)
        except ClientError as exc:
            code = client_error_code(exc)
            if code in _NOT_FOUND:
                return
            if not (code == "KMSInvalidStateException" and "pending deletion" in str(exc).lower()):
                raise
        wait_gone(lambda: self._metadata(key_id), what=f"KMS key {key_id} to be pending deletion")


class Alias(AwsResource):
    type_name = "aws_kms_alias"
    service = "kms"
    schema = resource_schema(
        computed("arn", String()),
        optional("name", String(), computed=True, force_new=True),
        optional("name_prefix", String(), computed=True, force_new=True),
        computed("target_key_arn", String()),
        required("target_key_id", String()),
    )

    def validate(self, diags, type_name: str, config: dict) -> None:
        super().validate(diags, type_name, config)
        conflicting(diags, type_name, config, ("name", "name_prefix"))
        for attr in ("name", "name_prefix"):
            value = config.get(attr)
            if isinstance(value, str) and value is not Unknown and not value.startswith("alias/"):
                diags.add_error(f'"{attr}" must begin with "alias/"', path=[attr])

    def _find(self, name: str) -> dict:
        return find_in_pages(self.client, "list_aliases", "Aliases", lambda alias: alias["AliasName"] == name)

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = planned_name(planned, "alias/")
        self.client.create_alias(AliasName=name, TargetKeyId=planned["target_key_id"])
        state = {**planned, "id": name, "name": name}
        ctx.partial_state = state
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        name = current["id"] or current["name"]
        alias = self._find(name)
        target = alias.get("TargetKeyId", "")
        target_arn = self.arn("kms", f"key/{target}")
        configured = current.get("target_key_id")
        if known(configured) and configured in (target, target_arn):
            target = configured  # the key named by id or by ARN: keep what the configuration says
        return {
            **current,
            "id": name,
            "name": name,
            "name_prefix": current["name_prefix"] if known(current["name_prefix"]) else None,
            "arn": alias.get("AliasArn") or self.arn("kms", name),
            "target_key_id": target,
            "target_key_arn": target_arn,
        }

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        if planned["target_key_id"] != prior["target_key_id"]:
            self.client.update_alias(AliasName=prior["id"], TargetKeyId=planned["target_key_id"])
        return self.read(ctx, {**planned, "id": prior["id"]})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        name = current["id"]
        ignore_codes(lambda: self.client.delete_alias(AliasName=name), *_NOT_FOUND)
        wait_gone(lambda: self._find(name), what=f"KMS alias {name} to be deleted")


class AliasData(AwsDataSource):
    """data "aws_kms_alias" (internal/service/kms/alias_data_source.go, v5): a key found by its alias."""

    type_name = "aws_kms_alias"
    service = "kms"
    schema = resource_schema(
        computed("arn", String()),
        required("name", String()),
        computed("target_key_arn", String()),
        computed("target_key_id", String()),
    )

    def read(self, ctx: ResourceContext, config: dict) -> dict:
        name = config["name"]
        try:
            alias = find_in_pages(self.client, "list_aliases", "Aliases", lambda found: found["AliasName"] == name)
        except NotFound:
            raise ProviderError(f"reading KMS Alias ({name}): empty result") from None
        target = alias.get("TargetKeyId", "")
        arn = alias.get("AliasArn") or self.arn("kms", name)
        return {"id": arn, "name": name, "arn": arn, "target_key_id": target,
                "target_key_arn": self.arn("kms", f"key/{target}")}  # fmt: skip


RESOURCES = [Key, Alias]
DATA_SOURCES = [AliasData]
