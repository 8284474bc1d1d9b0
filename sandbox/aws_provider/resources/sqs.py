"""SQS: aws_sqs_queue and aws_sqs_queue_policy.

Schemas follow internal/service/sqs/queue.go and queue_policy.go (v5): the queue's ``id`` and
``url`` are its URL; ``policy`` and ``redrive_policy`` are JSON strings (equivalent documents
are not a diff); ``sqs_managed_sse_enabled`` is Optional+Computed (AWS turns it on for new
queues unless a KMS key is given).

moto workaround: moto's SetQueueAttributes resets the queue policy when the call does not
include ``Policy`` (real SQS keeps it), so updates always send the current policy along.
"""

import re

from ..base import AwsResource, ResourceContext, ignore_codes, known, not_found_on, planned_name, wait_for, wait_gone
from ..errors import NotFound, ProviderError
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..state import canonical
from ..types import Bool, Number, String
from ._attributes import attributes_to_create, to_attribute
from ._json import equivalent, state_json

_GONE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")
DEFAULT_KMS_DATA_KEY_REUSE_PERIOD = 300

# Terraform attribute -> (SQS attribute name, kind); kinds: int, bool, str, "json", "policy".
QUEUE_ATTRIBUTES: dict[str, tuple[str, object]] = {
    "content_based_deduplication": ("ContentBasedDeduplication", bool),
    "deduplication_scope": ("DeduplicationScope", str),
    "delay_seconds": ("DelaySeconds", int),
    "fifo_queue": ("FifoQueue", bool),
    "fifo_throughput_limit": ("FifoThroughputLimit", str),
    "kms_data_key_reuse_period_seconds": ("KmsDataKeyReusePeriodSeconds", int),
    "kms_master_key_id": ("KmsMasterKeyId", str),
    "max_message_size": ("MaximumMessageSize", int),
    "message_retention_seconds": ("MessageRetentionPeriod", int),
    "policy": ("Policy", "policy"),
    "receive_wait_time_seconds": ("ReceiveMessageWaitTimeSeconds", int),
    "redrive_allow_policy": ("RedriveAllowPolicy", "json"),
    "redrive_policy": ("RedrivePolicy", "json"),
    "sqs_managed_sse_enabled": ("SqsManagedSseEnabled", bool),
    "visibility_timeout_seconds": ("VisibilityTimeout", int),
}


def queue_name_from_url(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _configured(ctx: ResourceContext, name: str) -> bool:
    return isinstance(ctx.config, dict) and ctx.config.get(name) is not None


class Queue(AwsResource):
    type_name = "aws_sqs_queue"
    service = "sqs"
    schema = resource_schema(
        computed("arn", String()),
        optional("content_based_deduplication", Bool(), default=False),
        optional("deduplication_scope", String(), computed=True),
        optional("delay_seconds", Number(), default=0),
        optional("fifo_queue", Bool(), default=False, force_new=True),
        optional("fifo_throughput_limit", String(), computed=True),
        optional("kms_data_key_reuse_period_seconds", Number(), computed=True),
        optional("kms_master_key_id", String()),
        optional("max_message_size", Number(), default=262144),
        optional("message_retention_seconds", Number(), default=345600),
        optional("name", String(), computed=True, force_new=True),
        optional("name_prefix", String(), computed=True, force_new=True),
        optional("policy", String(), computed=True),
        optional("receive_wait_time_seconds", Number(), default=0),
        optional("redrive_allow_policy", String(), computed=True),
        optional("redrive_policy", String(), computed=True),
        optional("sqs_managed_sse_enabled", Bool(), computed=True),
        *tags_attributes(),
        computed("url", String()),
        optional("visibility_timeout_seconds", Number(), default=30),
    )

    def plan(self, ctx: ResourceContext, prior: dict | None, planned: dict) -> dict:
        if _configured(ctx, "kms_master_key_id") and _configured(ctx, "sqs_managed_sse_enabled"):
            raise ProviderError(
                'Conflicting configuration arguments: "kms_master_key_id": conflicts with sqs_managed_sse_enabled',
                path=["kms_master_key_id"],
            )
        if _configured(ctx, "name") and _configured(ctx, "name_prefix"):
            raise ProviderError(
                'Conflicting configuration arguments: "name": conflicts with name_prefix', path=["name"]
            )
        name = planned["name"]
        if prior is None and known(name) and name:
            pattern = r"[0-9A-Za-z_-]{1,75}\.fifo" if planned["fifo_queue"] else r"[0-9A-Za-z_-]{1,80}"
            if not re.fullmatch(pattern, name):
                raise ProviderError(f"invalid queue name: {name}", path=["name"])
        if planned["content_based_deduplication"] is True and planned["fifo_queue"] is False:
            raise ProviderError("content-based deduplication can only be set for FIFO queue")
        return planned

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = planned_name(planned, suffix=".fifo" if planned["fifo_queue"] else "")
        attributes = attributes_to_create(QUEUE_ATTRIBUTES, planned, send_false=("sqs_managed_sse_enabled",))
        if not known(planned["kms_master_key_id"]):
            attributes.pop("KmsDataKeyReusePeriodSeconds", None)
        if (
            known(planned["kms_master_key_id"])
            and planned["kms_master_key_id"]
            and not known(planned["sqs_managed_sse_enabled"])
        ):
            # AWS switches SQS-managed SSE off when a KMS key is given; moto does not.
            attributes["SqsManagedSseEnabled"] = "false"
        args: dict = {"QueueName": name, "Attributes": attributes}
        if planned["tags_all"]:
            args["tags"] = dict(planned["tags_all"])
        url = self.client.create_queue(**args)["QueueUrl"]
        state = {**planned, "id": url, "name": name}
        ctx.partial_state = state
        wait_for(lambda: self._attributes(url, missing_ok=True), what=f"SQS queue {name} to exist")
        return self.read(ctx, state)

    def _attributes(self, url: str, *, missing_ok: bool = False) -> dict | None:
        try:
            return not_found_on(
                lambda: self.client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]), *_GONE
            ).get("Attributes", {})
        except NotFound:
            if missing_ok:
                return None
            raise

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        url = current["id"] or current["url"]
        attrs = self._attributes(url)
        assert attrs is not None
        fifo = attrs.get("FifoQueue") == "true"
        kms_key = attrs.get("KmsMasterKeyId", "")
        state = dict(current)
        state.update(
            id=url,
            url=url,
            name=queue_name_from_url(url),
            name_prefix=current["name_prefix"] if known(current["name_prefix"]) else "",
            arn=attrs.get("QueueArn"),
            fifo_queue=fifo,
            content_based_deduplication=attrs.get("ContentBasedDeduplication") == "true",
            deduplication_scope=attrs.get("DeduplicationScope", "") if fifo else "",
            fifo_throughput_limit=attrs.get("FifoThroughputLimit", "") if fifo else "",
            delay_seconds=int(attrs.get("DelaySeconds", 0)),
            max_message_size=int(attrs.get("MaximumMessageSize", 0)),
            message_retention_seconds=int(attrs.get("MessageRetentionPeriod", 0)),
            receive_wait_time_seconds=int(attrs.get("ReceiveMessageWaitTimeSeconds", 0)),
            visibility_timeout_seconds=int(attrs.get("VisibilityTimeout", 0)),
            kms_master_key_id=kms_key or None,
            kms_data_key_reuse_period_seconds=int(attrs.get("KmsDataKeyReusePeriodSeconds") or 0)
            or DEFAULT_KMS_DATA_KEY_REUSE_PERIOD,
            sqs_managed_sse_enabled=attrs.get("SqsManagedSseEnabled") == "true",
            policy=state_json(current["policy"], attrs.get("Policy"), policy=True),
            redrive_policy=state_json(current["redrive_policy"], attrs.get("RedrivePolicy")),
            redrive_allow_policy=state_json(current["redrive_allow_policy"], attrs.get("RedriveAllowPolicy"))
            if "RedriveAllowPolicy" in attrs or not known(current["redrive_allow_policy"])
            else current["redrive_allow_policy"],  # moto does not report it
        )
        tags = self.client.list_queue_tags(QueueUrl=url).get("Tags") or {}
        return self.set_tags_from_aws(state, tags)

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        url = prior["id"]
        changed: dict[str, str] = {}
        for attr, (api, kind) in QUEUE_ATTRIBUTES.items():
            new, old = planned[attr], prior[attr]
            if not known(new):
                continue
            if kind in ("json", "policy"):
                if not equivalent(old, new, policy=kind == "policy"):
                    changed[api] = new or ""
            elif canonical(self._type(attr), old) != canonical(self._type(attr), new):
                changed[api] = to_attribute(kind, new)
        if changed:
            if "Policy" not in changed:
                current = self.client.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
                policy = current.get("Attributes", {}).get("Policy")
                if policy:
                    changed["Policy"] = policy
            self.client.set_queue_attributes(QueueUrl=url, Attributes=changed)
        self.apply_tags_diff(
            prior,
            planned,
            untag=lambda keys: self.client.untag_queue(QueueUrl=url, TagKeys=keys),
            tag=lambda tags: self.client.tag_queue(QueueUrl=url, Tags=tags),
        )
        return self.read(ctx, {**planned, "id": url})

    def _type(self, attr: str):
        return next(a.type for a in self.schema.attributes if a.name == attr)

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        url = current["id"]
        ignore_codes(lambda: self.client.delete_queue(QueueUrl=url), *_GONE)
        wait_gone(lambda: self._attributes(url), what=f"SQS queue {url} to be deleted")


class QueuePolicy(AwsResource):
    type_name = "aws_sqs_queue_policy"
    service = "sqs"
    schema = resource_schema(
        required("policy", String()),
        required("queue_url", String(), force_new=True),
    )

    def _policy(self, url: str) -> str:
        attrs = not_found_on(lambda: self.client.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]), *_GONE)
        return attrs.get("Attributes", {}).get("Policy") or ""

    def _put(self, url: str, policy: str) -> None:
        self.client.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
        wait_for(
            lambda: equivalent(self._policy(url), policy, policy=True),
            what=f"the policy of SQS queue {url} to be set",
        )

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        url = planned["queue_url"]
        self._put(url, planned["policy"])
        state = {**planned, "id": url}
        ctx.partial_state = state
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        url = current["queue_url"] or current["id"]
        policy = self._policy(url)
        if not policy:
            raise NotFound(url)
        return {**current, "id": url, "queue_url": url, "policy": state_json(current["policy"], policy, policy=True)}

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        self._put(prior["id"], planned["policy"])
        return self.read(ctx, {**planned, "id": prior["id"]})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        url = current["id"]
        ignore_codes(lambda: self.client.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""}), *_GONE)

        def gone() -> bool:
            try:
                return not self._policy(url)
            except NotFound:
                return True

        wait_for(gone, what=f"the policy of SQS queue {url} to be removed")


RESOURCES = [Queue, QueuePolicy]
