"""WAFv2: aws_wafv2_web_acl and aws_wafv2_web_acl_association.

Schemas follow internal/service/wafv2/web_acl.go, web_acl_association.go and schemas.go (v5.80:
``name`` is Required). Every WAF setting is a nest of MaxItems-1 list blocks, often empty
(``default_action { allow {} }``, ``override_action { none {} }``), exactly as in the real
provider; they map one to one onto the WAFv2 API's objects (``allow {}`` <-> ``"Allow": {}``),
so one generic converter, driven by the schema, translates both ways.

Implemented rule statements: managed_rule_group_statement (name, vendor_name, version,
rule_action_override), rate_based_statement (limit, aggregate_key_type,
evaluation_window_sec), geo_match_statement, ip_set_reference_statement,
rule_group_reference_statement and label_match_statement; not the byte/regex/size/sqli/xss match
statements, the nested and/or/not statements, scope_down_statement, ``rule_json``,
``custom_response_body``, ``association_config`` or ``data_protection_config``.

moto: capacity is a constant (3); UpdateWebACL with an empty rule list keeps the old rules;
moto does not refuse to delete an associated web ACL and keeps associations of deleted load
balancers (the association's read checks that the load balancer still exists, as AWS would).
"""

import re
from typing import Any

from tf.schema import Attribute, NestedBlock

from ..base import (
    AwsResource,
    ResourceContext,
    dict_to_tag_list,
    ignore_codes,
    known,
    not_found_on,
    retry_while_busy,
    tag_list_to_dict,
    wait_for,
    wait_gone,
)
from ..blocks import ListNestedBlock, SetNestedBlock
from ..errors import NotFound, ProviderError
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..state import blank_state, canonical_object
from ..types import Bool, List, Number, Set, String, Unknown, zero_value

_GONE = ("WAFNonexistentItemException",)

# -- schema pieces (schemas.go) ---------------------------------------------------------------------


def _one(name: str, attributes=(), blocks=(), *, required_block: bool = False) -> ListNestedBlock:
    """SDKv2 TypeList MaxItems 1 of a resource (min 1 when Required)."""
    return ListNestedBlock(name, list(attributes), list(blocks), max_items=1, min_items=1 if required_block else None)


def _empty(name: str) -> ListNestedBlock:
    return _one(name)


def _name_value_set(name: str) -> SetNestedBlock:
    return SetNestedBlock(name, [required("name", String()), required("value", String())])


def _custom_request_handling() -> ListNestedBlock:
    return _one("custom_request_handling", blocks=[SetNestedBlock(
        "insert_header", [required("name", String()), required("value", String())], min_items=1
    )])  # fmt: skip


def _allow() -> ListNestedBlock:
    return _one("allow", blocks=[_custom_request_handling()])


def _block() -> ListNestedBlock:
    custom_response = _one(
        "custom_response",
        [optional("custom_response_body_key", String()), required("response_code", Number())],
        [_name_value_set("response_header")],
    )
    return _one("block", blocks=[custom_response])


def _with_request_handling(name: str) -> ListNestedBlock:
    return _one(name, blocks=[_custom_request_handling()])


def _rule_action(name: str) -> ListNestedBlock:
    return _one(
        name,
        blocks=[
            _allow(),
            _block(),
            _with_request_handling("captcha"),
            _with_request_handling("challenge"),
            _with_request_handling("count"),
        ],
        required_block=name == "action_to_use",
    )


def _visibility_config() -> ListNestedBlock:
    return _one(
        "visibility_config",
        [
            required("cloudwatch_metrics_enabled", Bool()),
            required("metric_name", String()),
            required("sampled_requests_enabled", Bool()),
        ],
        required_block=True,
    )


def _immunity_time_config(name: str) -> ListNestedBlock:
    return _one(name, blocks=[_one("immunity_time_property", [optional("immunity_time", Number())])])


def _statement() -> ListNestedBlock:
    rule_action_override = ListNestedBlock(
        "rule_action_override", [required("name", String())], [_rule_action("action_to_use")], max_items=100
    )
    return _one(
        "statement",
        blocks=[
            _one("geo_match_statement", [required("country_codes", List(String()))]),
            _one("ip_set_reference_statement", [required("arn", String())]),
            _one("label_match_statement", [required("key", String()), required("scope", String())]),
            _one(
                "managed_rule_group_statement",
                [
                    required("name", String()),
                    required("vendor_name", String()),
                    optional("version", String(), computed=True),
                ],
                [rule_action_override],
            ),
            _one(
                "rate_based_statement",
                [
                    optional("aggregate_key_type", String(), default="IP"),
                    optional("evaluation_window_sec", Number(), default=300),
                    required("limit", Number()),
                ],
            ),
            _one("rule_group_reference_statement", [required("arn", String())]),
        ],
        required_block=True,
    )


RULE = SetNestedBlock(
    "rule",
    [required("name", String()), required("priority", Number())],
    [
        _rule_action("action"),
        _immunity_time_config("captcha_config"),
        _immunity_time_config("challenge_config"),
        _one("override_action", blocks=[_empty("count"), _empty("none")]),
        SetNestedBlock("rule_label", [required("name", String())]),
        _statement(),
        _visibility_config(),
    ],
)

# -- Terraform <-> WAFv2 API -----------------------------------------------------------------------

_API_NAMES = {
    "arn": "ARN",
    "cloudwatch_metrics_enabled": "CloudWatchMetricsEnabled",
    "insert_header": "InsertHeaders",
    "ip_set_reference_statement": "IPSetReferenceStatement",
    "response_header": "ResponseHeaders",
    "rule_action_override": "RuleActionOverrides",
    "rule": "Rules",
    "rule_label": "RuleLabels",
}


def api_name(name: str) -> str:
    return _API_NAMES.get(name) or "".join(part.capitalize() for part in name.split("_"))


def _single(block: NestedBlock) -> bool:
    return block.max_items == 1


def _blocks(node: Any) -> list[NestedBlock]:
    return node.block.block_types


def _attributes(node: Any) -> list[Attribute]:
    return node.block.attributes


def to_api(node: Any, value: dict) -> dict:
    """A Terraform block value (dict) as the WAFv2 API object."""
    out: dict = {}
    for a in _attributes(node):
        v = value.get(a.name)
        if v is None or v is Unknown or v == "":
            continue
        if isinstance(a.type, Number):
            v = int(v) if float(v).is_integer() else v
        out[api_name(a.name)] = v
    for b in _blocks(node):
        items = value.get(b.type_name) or []
        if not items or items is Unknown:
            continue
        if _single(b):
            out[api_name(b.type_name)] = to_api(b, items[0])
        else:
            out[api_name(b.type_name)] = [to_api(b, item) for item in items]
    return out


def from_api(node: Any, data: dict | None) -> dict:
    """A WAFv2 API object as the Terraform block value (every schema key present)."""
    data = data or {}
    out: dict = {}
    for a in _attributes(node):
        v = data.get(api_name(a.name))
        if v is None and a.computed:
            v = zero_value(a.type)
        out[a.name] = v
    for b in _blocks(node):
        v = data.get(api_name(b.type_name))
        if _single(b):
            out[b.type_name] = [] if v is None else [from_api(b, v)]
        else:
            out[b.type_name] = [from_api(b, item) for item in v or []]
    return out


class WebAcl(AwsResource):
    type_name = "aws_wafv2_web_acl"
    service = "wafv2"
    schema = resource_schema(
        computed("arn", String()),
        computed("capacity", Number()),
        _immunity_time_config("captcha_config"),
        _immunity_time_config("challenge_config"),
        _one("default_action", blocks=[_allow(), _block()], required_block=True),
        optional("description", String()),
        computed("lock_token", String()),
        required("name", String(), force_new=True),
        RULE,
        required("scope", String(), force_new=True),
        *tags_attributes(),
        optional("token_domains", Set(String())),
        _visibility_config(),
    )

    _TOP_LEVEL = ("captcha_config", "challenge_config", "default_action", "rule", "visibility_config")

    def plan(self, ctx: ResourceContext, prior: dict | None, planned: dict) -> dict:
        def configs(value: Any) -> list[dict]:
            return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

        names = [("name", planned["name"])]
        names += [
            ("visibility_config.metric_name", c.get("metric_name")) for c in configs(planned["visibility_config"])
        ]
        for rule in configs(planned["rule"]):
            names += [
                ("rule.visibility_config.metric_name", c.get("metric_name")) for c in configs(rule["visibility_config"])
            ]
        for field, value in names:
            if isinstance(value, str) and not re.fullmatch(r"[0-9A-Za-z_-]{1,128}", value):
                raise ProviderError(
                    f"invalid value for {field} (must contain only alphanumeric hyphen and underscore characters)",
                    f'"{value}"',
                )
        if prior is not None and self._settings_differ(prior, planned):
            # UpdateWebACL issues a new lock token (and may change the capacity).
            planned["lock_token"] = Unknown
            planned["capacity"] = Unknown
        return planned

    def _settings_differ(self, prior: dict, planned: dict) -> bool:
        ignored = ("tags", "tags_all", "lock_token", "capacity", "arn", "id")
        a = {k: v for k, v in canonical_object(self.schema, prior).items() if k not in ignored}
        b = {k: v for k, v in canonical_object(self.schema, planned).items() if k not in ignored}
        return a != b

    def _request(self, planned: dict) -> dict:
        node = _Root(self.schema)
        body = to_api(node, {k: planned[k] for k in self._TOP_LEVEL})
        body.setdefault("Rules", [])
        if planned["description"]:
            body["Description"] = planned["description"]
        if planned["token_domains"]:
            body["TokenDomains"] = sorted(planned["token_domains"])
        return body

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        args = {"Name": planned["name"], "Scope": planned["scope"], **self._request(planned)}
        if planned["tags_all"]:
            args["Tags"] = dict_to_tag_list(planned["tags_all"])
        summary = self.client.create_web_acl(**args)["Summary"]
        state = {**planned, "id": summary["Id"], "arn": summary["ARN"]}
        ctx.partial_state = state
        return self.read(ctx, state)

    def import_state(self, ctx: ResourceContext, id_: str) -> dict | None:
        parts = id_.split("/")
        if len(parts) != 3 or not all(parts):
            raise ProviderError(f'Unexpected format of ID ("{id_}"), expected ID/NAME/SCOPE')
        return self.read(ctx, blank_state(self.schema, id=parts[0], name=parts[1], scope=parts[2]))

    def _get(self, state: dict) -> dict:
        return not_found_on(
            lambda: self.client.get_web_acl(Name=state["name"], Scope=state["scope"], Id=state["id"]), *_GONE
        )

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        found = self._get(current)
        acl = found["WebACL"]
        values = from_api(_Root(self.schema), {k: v for k, v in acl.items() if k != "Rules"})
        rules = [from_api(RULE, rule) for rule in acl.get("Rules") or []]
        state = dict(current)
        state.update(
            arn=acl["ARN"],
            capacity=acl.get("Capacity", 0),
            lock_token=found.get("LockToken", ""),
            name=acl["Name"],
            description=acl.get("Description") or None,
            token_domains=sorted(acl.get("TokenDomains") or []) or None,
            rule=rules,
            **{k: values[k] for k in self._TOP_LEVEL if k != "rule"},
        )
        tags = self.client.list_tags_for_resource(ResourceARN=acl["ARN"]).get("TagInfoForResource", {})
        return self.set_tags_from_aws(state, tag_list_to_dict(tags.get("TagList")))

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        state = {**planned, "id": prior["id"], "arn": prior["arn"]}
        if self._settings_differ(prior, planned):
            lock_token = self._get(prior)["LockToken"]
            self.client.update_web_acl(
                Name=prior["name"], Scope=prior["scope"], Id=prior["id"], LockToken=lock_token, **self._request(planned)
            )
        arn = prior["arn"]
        self.apply_tags_diff(
            prior,
            planned,
            untag=lambda keys: self.client.untag_resource(ResourceARN=arn, TagKeys=keys),
            tag=lambda tags: self.client.tag_resource(ResourceARN=arn, Tags=dict_to_tag_list(tags)),
        )
        return self.read(ctx, state)

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        retry_while_busy(  # the lock token of the moment; _get raises NotFound once the ACL is gone
            lambda: self.client.delete_web_acl(
                Name=current["name"],
                Scope=current["scope"],
                Id=current["id"],
                LockToken=self._get(current)["LockToken"],
            ),
            busy=("WAFAssociatedItemException", "WAFOptimisticLockException"),
            what=f"WAFv2 WebACL ({current['id']}) to be deletable",
            timeout=300,
        )
        wait_gone(lambda: self._get(current), what=f"WAFv2 WebACL ({current['id']}) to be deleted")


class _Root:
    """Lets the converter treat the resource schema like a nested block."""

    def __init__(self, schema: Any):
        self.block = schema


class WebAclAssociation(AwsResource):
    type_name = "aws_wafv2_web_acl_association"
    service = "wafv2"
    schema = resource_schema(
        required("resource_arn", String(), force_new=True),
        required("web_acl_arn", String(), force_new=True),
    )

    def _associated_acl(self, resource_arn: str) -> str | None:
        if ":elasticloadbalancing:" in resource_arn and not self._load_balancer_exists(resource_arn):
            return None  # AWS drops the association with the load balancer; moto keeps it
        found = ignore_codes(lambda: self.client.get_web_acl_for_resource(ResourceArn=resource_arn), *_GONE)
        acl = (found or {}).get("WebACL") or {}
        return acl.get("ARN")

    def _load_balancer_exists(self, arn: str) -> bool:
        try:
            client = self.provider.client("elbv2")
        except ProviderError:  # no elbv2 endpoint configured: trust WAF's answer
            return True
        found = ignore_codes(lambda: client.describe_load_balancers(LoadBalancerArns=[arn]), "LoadBalancerNotFound")
        return bool(found and found.get("LoadBalancers"))

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        acl, resource = planned["web_acl_arn"], planned["resource_arn"]
        if ":elasticloadbalancing:" in resource and not self._load_balancer_exists(resource):
            raise ProviderError(
                f"creating WAFv2 WebACL Association ({acl},{resource}): WAFNonexistentItemException: "
                "AWS WAF couldn't perform the operation because your resource doesn't exist."
            )
        self.client.associate_web_acl(WebACLArn=acl, ResourceArn=resource)
        state = {**planned, "id": f"{acl},{resource}"}
        ctx.partial_state = state
        wait_for(lambda: self._associated_acl(resource) == acl, what=f"WAFv2 WebACL {acl} to protect {resource}")
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        acl, resource = current["web_acl_arn"], current["resource_arn"]
        if not (known(acl) and acl and known(resource) and resource):
            acl, _, resource = str(current["id"]).partition(",")
        if self._associated_acl(resource) != acl:
            raise NotFound(current["id"])
        return {**current, "id": f"{acl},{resource}", "web_acl_arn": acl, "resource_arn": resource}

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        return self.read(ctx, {**planned, "id": prior["id"]})  # every argument forces a replacement

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        acl, resource = current["web_acl_arn"], current["resource_arn"]
        if self._associated_acl(resource) == acl:
            ignore_codes(lambda: self.client.disassociate_web_acl(ResourceArn=resource), *_GONE)
        wait_for(lambda: self._associated_acl(resource) != acl, what=f"WAFv2 WebACL {acl} to leave {resource}")


RESOURCES = [WebAcl, WebAclAssociation]
