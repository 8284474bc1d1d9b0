"""ELBv2: aws_lb, aws_lb_target_group and aws_lb_listener.

Schemas follow internal/service/elbv2/load_balancer.go, target_group.go and listener.go (v5):
``id`` is the ARN everywhere; load balancer and target group settings that AWS keeps as
"attributes" (idle_timeout, enable_deletion_protection, deregistration_delay, ...) are planned
with the real provider's defaults and sent with Modify*Attributes. As in the real provider,
an attribute that does not apply to the load balancer type is neither sent nor read back
(its DiffSuppressFunc), so e.g. ``enable_cross_zone_load_balancing`` never drifts on an ALB.

Not implemented: ``subnet_mapping``, ``connection_logs``, ``ipam_pools``,
``minimum_load_balancer_capacity``; target group ``target_failover``, ``target_health_state``,
``target_group_health``; listener ``authenticate_cognito`` / ``authenticate_oidc`` actions and
``mutual_authentication``.

moto workarounds: moto refuses to add tags beyond 10 to an existing object (AWS allows 50), so
a tag update that hits moto's limit re-writes all tags at once; moto does not enforce deletion
protection, so the provider refuses to delete a protected load balancer as AWS would; moto
reports an SSL policy for plain-HTTP listeners, which AWS does not (reported as "").
"""

import re

from ..base import (
    AwsResource,
    ResourceContext,
    describe_one,
    dict_to_tag_list,
    ignore_codes,
    known,
    retry_while_busy,
    tag_list_to_dict,
    unique_name,
    wait_for,
    wait_gone,
)
from ..blocks import ListNestedBlock, SetNestedBlock
from ..errors import ProviderError, client_error_code
from ..schema import computed, optional, required, resource_schema, tags_attributes
from ..state import canonical_block
from ..types import Bool, Number, Set, String
from ._attributes import from_attribute, to_attribute

_LB_GONE = ("LoadBalancerNotFound",)
_TG_GONE = ("TargetGroupNotFound",)
_LISTENER_GONE = ("ListenerNotFound",)

APPLICATION, NETWORK, GATEWAY = "application", "network", "gateway"

# aws_lb arguments kept as load balancer attributes: name -> (API key, kind, default, LB types).
LB_ATTRIBUTES: dict[str, tuple[str, type, object, frozenset[str]]] = {
    "client_keep_alive": ("client_keep_alive.seconds", int, 3600, frozenset({APPLICATION})),
    "desync_mitigation_mode": ("routing.http.desync_mitigation_mode", str, "defensive", frozenset({APPLICATION})),
    "dns_record_client_routing_policy": (
        "dns_record.client_routing_policy",
        str,
        "any_availability_zone",
        frozenset({NETWORK}),
    ),
    "drop_invalid_header_fields": (
        "routing.http.drop_invalid_header_fields.enabled",
        bool,
        False,
        frozenset({APPLICATION}),
    ),
    # Always on for ALBs (AWS reports true), so only sent and read for NLBs and GWLBs.
    "enable_cross_zone_load_balancing": (
        "load_balancing.cross_zone.enabled",
        bool,
        False,
        frozenset({NETWORK, GATEWAY}),
    ),
    "enable_deletion_protection": (
        "deletion_protection.enabled",
        bool,
        False,
        frozenset({APPLICATION, NETWORK, GATEWAY}),
    ),
    "enable_http2": ("routing.http2.enabled", bool, True, frozenset({APPLICATION})),
    "enable_tls_version_and_cipher_suite_headers": (
        "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
        bool,
        False,
        frozenset({APPLICATION}),
    ),
    "enable_waf_fail_open": ("waf.fail_open.enabled", bool, False, frozenset({APPLICATION})),
    "enable_xff_client_port": ("routing.http.xff_client_port.enabled", bool, False, frozenset({APPLICATION})),
    "enable_zonal_shift": ("zonal_shift.config.enabled", bool, False, frozenset({APPLICATION, NETWORK})),
    "idle_timeout": ("idle_timeout.timeout_seconds", int, 60, frozenset({APPLICATION})),
    "preserve_host_header": (
        "routing.http.preserve_host_header.enabled",
        bool,
        False,
        frozenset({APPLICATION}),
    ),
    "xff_header_processing_mode": (
        "routing.http.xff_header_processing.mode",
        str,
        "append",
        frozenset({APPLICATION}),
    ),
}


def arn_suffix(arn: str, marker: str) -> str:
    """The part of an ELBv2 ARN after ``loadbalancer/`` or ``targetgroup`` (CloudWatch dimension)."""
    _, _, rest = arn.partition(":" + marker)
    return marker + rest if marker == "targetgroup" else rest.lstrip("/")


def generated_name(planned: dict, default_prefix: str) -> str:
    """name, else name_prefix (or the default prefix) + 26 unique characters, like id.PrefixedUniqueId."""
    if known(planned["name"]):
        return planned["name"]
    prefix = planned["name_prefix"] if known(planned["name_prefix"]) else default_prefix
    unique = unique_name("")  # timestamp(14) + microseconds(6) + counter(8)
    return prefix + unique[:18] + unique[-8:]


def check_name(planned: dict, *, load_balancer: bool) -> None:
    """The real provider's validName / validTargetGroupName, at plan time."""
    value = planned["name"]
    if not known(value) or not value:
        return
    problems = []
    if len(value) > 32:
        problems.append(f'"name" cannot be longer than 32 characters: "{value}"')
    if not re.fullmatch(r"[0-9A-Za-z-]+", value):
        problems.append(f'only alphanumeric characters and hyphens allowed in "name": "{value}"')
    if value.startswith("-"):
        problems.append(f'"name" cannot begin with a hyphen: "{value}"')
    if value.endswith("-"):
        problems.append(f'"name" cannot end with a hyphen: "{value}"')
    if load_balancer and value.lower().startswith("internal-"):
        problems.append(f'"name" cannot begin with "internal-": "{value}"')
    if problems:
        raise ProviderError("invalid value for name", "; ".join(problems), path=["name"])


class _Elbv2(AwsResource):
    service = "elbv2"

    def aws_tags(self, arn: str) -> dict[str, str]:
        described = self.client.describe_tags(ResourceArns=[arn]).get("TagDescriptions") or [{}]
        return tag_list_to_dict(described[0].get("Tags"))

    def attribute_map(self, operation: str, **kwargs: str) -> dict[str, str]:
        """Key -> value of a ``Describe*Attributes`` answer."""
        return {a["Key"]: a.get("Value", "") for a in getattr(self.client, operation)(**kwargs).get("Attributes", [])}

    def update_tags(self, arn: str, prior: dict, planned: dict) -> None:
        from botocore.exceptions import ClientError

        def add(upsert: dict[str, str]) -> None:
            try:
                self.client.add_tags(ResourceArns=[arn], Tags=dict_to_tag_list(upsert))
            except ClientError as exc:
                if client_error_code(exc) != "TooManyTags" or len(planned["tags_all"] or {}) > 50:
                    raise
                # moto's limit is 10 tags per existing object (AWS: 50): re-write them all at once.
                existing = list(self.aws_tags(arn))
                if existing:
                    self.client.remove_tags(ResourceArns=[arn], TagKeys=existing)
                self.client.add_tags(ResourceArns=[arn], Tags=dict_to_tag_list(planned["tags_all"]))

        self.apply_tags_diff(
            prior, planned, untag=lambda keys: self.client.remove_tags(ResourceArns=[arn], TagKeys=keys), tag=add
        )


# -- aws_lb ----------------------------------------------------------------------------------------


class LoadBalancer(_Elbv2):
    type_name = "aws_lb"
    schema = resource_schema(
        ListNestedBlock(
            "access_logs",
            [required("bucket", String()), optional("enabled", Bool(), default=False), optional("prefix", String())],
            max_items=1,
            computed=True,
        ),
        computed("arn", String()),
        computed("arn_suffix", String()),
        optional("customer_owned_ipv4_pool", String(), force_new=True),
        computed("dns_name", String()),
        *(
            optional(name, {bool: Bool(), int: Number(), str: String()}[kind], default=default)
            for name, (_, kind, default, _) in LB_ATTRIBUTES.items()
        ),  # fmt: skip
        optional("internal", Bool(), computed=True, force_new=True),
        optional("ip_address_type", String(), computed=True),
        optional("load_balancer_type", String(), default=APPLICATION, force_new=True),
        optional("name", String(), computed=True, force_new=True),
        optional("name_prefix", String(), computed=True, force_new=True),
        optional("security_groups", Set(String()), computed=True),
        optional("subnets", Set(String()), computed=True),
        *tags_attributes(),
        computed("vpc_id", String()),
        computed("zone_id", String()),
    )

    def plan(self, ctx: ResourceContext, prior: dict | None, planned: dict) -> dict:
        check_name(planned, load_balancer=True)
        return planned

    def _describe(self, arn: str) -> dict:
        return describe_one(self.client, "describe_load_balancers", "LoadBalancers", _LB_GONE, LoadBalancerArns=[arn])

    def _wait_active(self, arn: str) -> None:
        def active() -> bool:
            state = self._describe(arn).get("State", {}).get("Code")
            if state == "failed":
                raise ProviderError(f"ELBv2 Load Balancer ({arn}) failed to provision")
            return state == "active"

        wait_for(active, what=f"ELBv2 Load Balancer ({arn}) to become active", timeout=600)

    def _attributes(self, planned: dict, prior: dict | None) -> list[dict[str, str]]:
        lb_type = planned["load_balancer_type"]
        out = []
        for name, (key, kind, _, types) in LB_ATTRIBUTES.items():
            value = planned[name]
            if lb_type not in types or not known(value):
                continue
            if prior is None or prior[name] != value:
                out.append({"Key": key, "Value": to_attribute(kind, value)})
        if lb_type in (APPLICATION, NETWORK):
            logs = (planned["access_logs"] or [None])[0]
            old = (prior["access_logs"] or [None])[0] if prior is not None else None
            if prior is None or logs != old:
                if logs:
                    out.append({"Key": "access_logs.s3.enabled", "Value": to_attribute(bool, logs["enabled"])})
                    out.append({"Key": "access_logs.s3.bucket", "Value": logs["bucket"] or ""})
                    out.append({"Key": "access_logs.s3.prefix", "Value": logs["prefix"] or ""})
                else:
                    out.append({"Key": "access_logs.s3.enabled", "Value": "false"})
        return out

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = generated_name(planned, "tf-lb-")
        lb_type = planned["load_balancer_type"]
        args: dict = {"Name": name, "Type": lb_type}
        if lb_type != GATEWAY:
            args["Scheme"] = "internal" if planned["internal"] is True else "internet-facing"
        if known(planned["subnets"]) and planned["subnets"]:
            args["Subnets"] = sorted(planned["subnets"])
        if known(planned["security_groups"]) and planned["security_groups"]:
            args["SecurityGroups"] = sorted(planned["security_groups"])
        if known(planned["ip_address_type"]):
            args["IpAddressType"] = planned["ip_address_type"]
        if planned["customer_owned_ipv4_pool"]:
            args["CustomerOwnedIpv4Pool"] = planned["customer_owned_ipv4_pool"]
        if planned["tags_all"]:
            args["Tags"] = dict_to_tag_list(planned["tags_all"])
        arn = self.client.create_load_balancer(**args)["LoadBalancers"][0]["LoadBalancerArn"]
        state = {**planned, "id": arn, "name": name}
        ctx.partial_state = state
        self._wait_active(arn)
        attributes = self._attributes(planned, None)
        if attributes:
            self.client.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=attributes)
            self._wait_active(arn)
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        arn = current["id"]
        lb = self._describe(arn)
        lb_type = lb.get("Type", APPLICATION)
        attrs = self.attribute_map("describe_load_balancer_attributes", LoadBalancerArn=arn)
        state = dict(current)
        state.update(
            arn=arn,
            arn_suffix=arn_suffix(arn, "loadbalancer"),
            name=lb["LoadBalancerName"],
            name_prefix=current["name_prefix"] if known(current["name_prefix"]) else "",
            dns_name=lb.get("DNSName", ""),
            zone_id=lb.get("CanonicalHostedZoneId", ""),
            vpc_id=lb.get("VpcId", ""),
            internal=lb.get("Scheme") == "internal",
            load_balancer_type=lb_type,
            ip_address_type=lb.get("IpAddressType", ""),
            security_groups=sorted(lb.get("SecurityGroups") or []),
            subnets=sorted(az["SubnetId"] for az in lb.get("AvailabilityZones") or []),
            customer_owned_ipv4_pool=lb.get("CustomerOwnedIpv4Pool") or None,
        )
        for name, (key, kind, default, types) in LB_ATTRIBUTES.items():
            if lb_type in types and key in attrs:
                state[name] = from_attribute(kind, attrs[key])
            elif not known(state[name]):
                state[name] = default
        if current["access_logs"]:
            state["access_logs"] = [
                {
                    "bucket": attrs.get("access_logs.s3.bucket", ""),
                    "enabled": attrs.get("access_logs.s3.enabled", "false") == "true",
                    "prefix": attrs.get("access_logs.s3.prefix", ""),
                }
            ]
        return self.set_tags_from_aws(state, self.aws_tags(arn))

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        arn = prior["id"]
        attributes = self._attributes(planned, prior)
        if attributes:
            self.client.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=attributes)
        if known(planned["security_groups"]) and set(planned["security_groups"] or []) != set(
            prior["security_groups"] or []
        ):
            self.client.set_security_groups(LoadBalancerArn=arn, SecurityGroups=sorted(planned["security_groups"]))
        if known(planned["subnets"]) and set(planned["subnets"] or []) != set(prior["subnets"] or []):
            self.client.set_subnets(LoadBalancerArn=arn, Subnets=sorted(planned["subnets"]))
        if known(planned["ip_address_type"]) and planned["ip_address_type"] != prior["ip_address_type"]:
            self.client.set_ip_address_type(LoadBalancerArn=arn, IpAddressType=planned["ip_address_type"])
        self.update_tags(arn, prior, planned)
        self._wait_active(arn)
        return self.read(ctx, {**planned, "id": arn})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        from botocore.exceptions import ClientError

        arn = current["id"]
        try:
            attrs = self.client.describe_load_balancer_attributes(LoadBalancerArn=arn).get("Attributes", [])
        except ClientError as exc:
            if client_error_code(exc) in _LB_GONE:
                return
            raise
        if any(a["Key"] == "deletion_protection.enabled" and a.get("Value") == "true" for a in attrs):
            raise ProviderError(
                f"deleting ELBv2 Load Balancer ({arn}): OperationNotPermitted: Load balancer '{arn}' cannot be "
                "deleted because deletion protection is enabled",
                "Set enable_deletion_protection = false and apply before destroying it.",
            )
        ignore_codes(lambda: self.client.delete_load_balancer(LoadBalancerArn=arn), *_LB_GONE)
        wait_gone(lambda: self._describe(arn), what=f"ELBv2 Load Balancer ({arn}) to be deleted", timeout=600)


# -- aws_lb_target_group ---------------------------------------------------------------------------

HEALTH_CHECK = ListNestedBlock(
    "health_check",
    [
        optional("enabled", Bool(), default=True),
        optional("healthy_threshold", Number(), default=3),
        optional("interval", Number(), default=30),
        optional("matcher", String(), computed=True),
        optional("path", String(), computed=True),
        optional("port", String(), default="traffic-port"),
        optional("protocol", String(), default="HTTP"),
        optional("timeout", Number(), computed=True),
        optional("unhealthy_threshold", Number(), default=3),
    ],
    max_items=1,
    computed=True,
)

STICKINESS = ListNestedBlock(
    "stickiness",
    [
        optional("cookie_duration", Number(), default=86400),
        optional("cookie_name", String()),
        optional("enabled", Bool(), default=True),
        required("type", String()),
    ],
    max_items=1,
    computed=True,
)

# Target group arguments kept as attributes: name -> (API key, kind, target/protocol condition).
TG_ATTRIBUTES: dict[str, tuple[str, type]] = {
    "deregistration_delay": ("deregistration_delay.timeout_seconds", str),
    "lambda_multi_value_headers_enabled": ("lambda.multi_value_headers.enabled", bool),
    "load_balancing_algorithm_type": ("load_balancing.algorithm.type", str),
    "load_balancing_anomaly_mitigation": ("load_balancing.algorithm.anomaly_mitigation", str),
    "load_balancing_cross_zone_enabled": ("load_balancing.cross_zone.enabled", str),
    "proxy_protocol_v2": ("proxy_protocol_v2.enabled", bool),
    "slow_start": ("slow_start.duration_seconds", int),
}


def _tg_attribute_applies(name: str, target_type: str, protocol: str | None) -> bool:
    if target_type == "lambda":
        return name == "lambda_multi_value_headers_enabled"
    if name == "lambda_multi_value_headers_enabled":
        return False
    if name == "proxy_protocol_v2":
        return protocol in ("TCP", "TLS", "UDP", "TCP_UDP")
    if name in ("slow_start", "load_balancing_algorithm_type", "load_balancing_anomaly_mitigation"):
        return protocol in ("HTTP", "HTTPS")
    return True


class TargetGroup(_Elbv2):
    type_name = "aws_lb_target_group"
    schema = resource_schema(
        computed("arn", String()),
        computed("arn_suffix", String()),
        optional("deregistration_delay", String(), default="300"),
        HEALTH_CHECK,
        optional("ip_address_type", String(), computed=True, force_new=True),
        optional("lambda_multi_value_headers_enabled", Bool(), default=False),
        computed("load_balancer_arns", Set(String())),
        optional("load_balancing_algorithm_type", String(), computed=True),
        optional("load_balancing_anomaly_mitigation", String(), computed=True),
        optional("load_balancing_cross_zone_enabled", String(), computed=True),
        optional("name", String(), computed=True, force_new=True),
        optional("name_prefix", String(), computed=True, force_new=True),
        optional("port", Number(), force_new=True),
        optional("protocol", String(), force_new=True),
        optional("protocol_version", String(), computed=True, force_new=True),
        optional("proxy_protocol_v2", Bool(), default=False),
        optional("slow_start", Number(), default=0),
        STICKINESS,
        *tags_attributes(),
        optional("target_type", String(), default="instance", force_new=True),
        optional("vpc_id", String(), force_new=True),
    )

    def plan(self, ctx: ResourceContext, prior: dict | None, planned: dict) -> dict:
        check_name(planned, load_balancer=False)
        return planned

    def _describe(self, arn: str) -> dict:
        return describe_one(self.client, "describe_target_groups", "TargetGroups", _TG_GONE, TargetGroupArns=[arn])

    @staticmethod
    def _health_check_args(planned: dict) -> dict:
        check = (planned["health_check"] or [None])[0]
        if not check:
            return {}
        args: dict = {
            "HealthCheckEnabled": bool(check["enabled"]),
            "HealthCheckIntervalSeconds": int(check["interval"]),
            "HealthyThresholdCount": int(check["healthy_threshold"]),
            "UnhealthyThresholdCount": int(check["unhealthy_threshold"]),
        }
        if known(check["timeout"]) and check["timeout"]:
            args["HealthCheckTimeoutSeconds"] = int(check["timeout"])
        if planned["target_type"] != "lambda":
            args["HealthCheckPort"] = check["port"]
            args["HealthCheckProtocol"] = str(check["protocol"]).upper()
        if str(check["protocol"]).upper() != "TCP":
            if known(check["path"]) and check["path"]:
                args["HealthCheckPath"] = check["path"]
            if known(check["matcher"]) and check["matcher"]:
                grpc = str(planned["protocol_version"]).upper() == "GRPC"
                args["Matcher"] = {"GrpcCode" if grpc else "HttpCode": check["matcher"]}
        return args

    def _attributes(self, planned: dict, prior: dict | None) -> list[dict[str, str]]:
        out = []
        for name, (key, kind) in TG_ATTRIBUTES.items():
            value = planned[name]
            if not known(value) or value is None:
                continue
            if not _tg_attribute_applies(name, planned["target_type"], planned["protocol"]):
                continue
            if prior is None or prior[name] != value:
                out.append({"Key": key, "Value": to_attribute(kind, value)})
        stickiness = (planned["stickiness"] or [None])[0]
        old = (prior["stickiness"] or [None])[0] if prior is not None else None
        if stickiness and stickiness != old and planned["target_type"] != "lambda":
            out.append({"Key": "stickiness.enabled", "Value": to_attribute(bool, stickiness["enabled"])})
            out.append({"Key": "stickiness.type", "Value": stickiness["type"]})
            if stickiness["type"] == "lb_cookie":
                out.append(
                    {"Key": "stickiness.lb_cookie.duration_seconds", "Value": str(int(stickiness["cookie_duration"]))}
                )
            elif stickiness["type"] == "app_cookie":
                out.append(
                    {"Key": "stickiness.app_cookie.duration_seconds", "Value": str(int(stickiness["cookie_duration"]))}
                )
                out.append({"Key": "stickiness.app_cookie.cookie_name", "Value": stickiness["cookie_name"] or ""})
        elif old and not stickiness and prior is not None:
            out.append({"Key": "stickiness.enabled", "Value": "false"})
        return out

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        name = generated_name(planned, "tf-")
        target_type = planned["target_type"]
        args: dict = {"Name": name, "TargetType": target_type}
        if target_type != "lambda":
            if planned["port"] is not None:
                args["Port"] = int(planned["port"])
            if planned["protocol"]:
                args["Protocol"] = planned["protocol"]
            if planned["vpc_id"]:
                args["VpcId"] = planned["vpc_id"]
            if planned["protocol"] in ("HTTP", "HTTPS") and known(planned["protocol_version"]):
                args["ProtocolVersion"] = str(planned["protocol_version"]).upper()
            if target_type in ("instance", "ip") and known(planned["ip_address_type"]):
                args["IpAddressType"] = planned["ip_address_type"]
        args.update(self._health_check_args(planned))
        if planned["tags_all"]:
            args["Tags"] = dict_to_tag_list(planned["tags_all"])
        arn = self.client.create_target_group(**args)["TargetGroups"][0]["TargetGroupArn"]
        state = {**planned, "id": arn, "name": name}
        ctx.partial_state = state
        attributes = self._attributes(planned, None)
        if attributes:
            self.client.modify_target_group_attributes(TargetGroupArn=arn, Attributes=attributes)
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        arn = current["id"]
        tg = self._describe(arn)
        attrs = self.attribute_map("describe_target_group_attributes", TargetGroupArn=arn)
        target_type = tg.get("TargetType", "instance")
        state = dict(current)
        state.update(
            arn=arn,
            arn_suffix=arn_suffix(arn, "targetgroup"),
            name=tg["TargetGroupName"],
            name_prefix=current["name_prefix"] if known(current["name_prefix"]) else "",
            target_type=target_type,
            load_balancer_arns=sorted(tg.get("LoadBalancerArns") or []),
        )
        if target_type != "lambda":
            state.update(
                port=tg.get("Port"),
                protocol=tg.get("Protocol"),
                vpc_id=tg.get("VpcId"),
                protocol_version=tg.get("ProtocolVersion", "") or "",
                ip_address_type=tg.get("IpAddressType", "") or "",
            )
        else:
            state.update(
                protocol_version=current["protocol_version"] if known(current["protocol_version"]) else "",
                ip_address_type=current["ip_address_type"] if known(current["ip_address_type"]) else "",
            )
        matcher = tg.get("Matcher") or {}
        state["health_check"] = [
            {
                "enabled": bool(tg.get("HealthCheckEnabled", True)),
                "healthy_threshold": tg.get("HealthyThresholdCount"),
                "interval": tg.get("HealthCheckIntervalSeconds"),
                "matcher": matcher.get("HttpCode") or matcher.get("GrpcCode") or "",
                "path": tg.get("HealthCheckPath", "") or "",
                "port": tg.get("HealthCheckPort", "traffic-port") or "traffic-port",
                "protocol": tg.get("HealthCheckProtocol", "HTTP") or "HTTP",
                "timeout": tg.get("HealthCheckTimeoutSeconds"),
                "unhealthy_threshold": tg.get("UnhealthyThresholdCount"),
            }
        ]
        for name, (key, kind) in TG_ATTRIBUTES.items():
            if key in attrs and _tg_attribute_applies(name, target_type, tg.get("Protocol")):
                state[name] = from_attribute(kind, attrs[key])
            elif not known(state[name]):
                state[name] = {"deregistration_delay": "300", "slow_start": 0}.get(name, False if kind is bool else "")
        if current["stickiness"] and ("stickiness.type" in attrs or "stickiness.enabled" in attrs):
            sticky_type = attrs.get("stickiness.type", "")
            prefix = "stickiness.app_cookie" if sticky_type == "app_cookie" else "stickiness.lb_cookie"
            prior_sticky = (current["stickiness"] or [{}])[0] if isinstance(current["stickiness"], list) else {}
            state["stickiness"] = [
                {
                    "enabled": attrs.get("stickiness.enabled", "false") == "true",
                    "type": sticky_type,
                    "cookie_duration": int(
                        attrs.get(f"{prefix}.duration_seconds") or (prior_sticky or {}).get("cookie_duration") or 86400
                    ),
                    "cookie_name": attrs.get("stickiness.app_cookie.cookie_name", "")
                    if sticky_type == "app_cookie"
                    else (prior_sticky or {}).get("cookie_name") or "",
                }
            ]
        return self.set_tags_from_aws(state, self.aws_tags(arn))

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        arn = prior["id"]
        if canonical_block(HEALTH_CHECK, prior["health_check"]) != canonical_block(
            HEALTH_CHECK, planned["health_check"]
        ):
            args = self._health_check_args(planned)
            if args:
                self.client.modify_target_group(TargetGroupArn=arn, **args)
        attributes = self._attributes(planned, prior)
        if attributes:
            self.client.modify_target_group_attributes(TargetGroupArn=arn, Attributes=attributes)
        self.update_tags(arn, prior, planned)
        return self.read(ctx, {**planned, "id": arn})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        arn = current["id"]
        retry_while_busy(
            lambda: self.client.delete_target_group(TargetGroupArn=arn),
            busy=("ResourceInUse",),  # a listener or rule being deleted still points at it
            gone=_TG_GONE,
            what=f"ELBv2 Target Group ({arn}) to be unused",
        )
        wait_gone(lambda: self._describe(arn), what=f"ELBv2 Target Group ({arn}) to be deleted")


# -- aws_lb_listener -------------------------------------------------------------------------------

DEFAULT_ACTION = ListNestedBlock(
    "default_action",
    [
        optional("order", Number(), computed=True),
        optional("target_group_arn", String()),
        required("type", String()),
    ],
    [
        ListNestedBlock(
            "fixed_response",
            [
                required("content_type", String()),
                optional("message_body", String()),
                optional("status_code", String(), computed=True),
            ],
            max_items=1,
        ),
        ListNestedBlock(
            "forward",
            [],
            [
                ListNestedBlock(
                    "stickiness",
                    [required("duration", Number()), optional("enabled", Bool(), default=False)],
                    max_items=1,
                ),
                SetNestedBlock(
                    "target_group",
                    [required("arn", String()), optional("weight", Number(), default=1)],
                    min_items=1,
                    max_items=5,
                ),
            ],
            max_items=1,
        ),
        ListNestedBlock(
            "redirect",
            [
                optional("host", String(), default="#{host}"),
                optional("path", String(), default="/#{path}"),
                optional("port", String(), default="#{port}"),
                optional("protocol", String(), default="#{protocol}"),
                optional("query", String(), default="#{query}"),
                required("status_code", String()),
            ],
            max_items=1,
        ),
    ],
    min_items=1,
)

SECURE_PROTOCOLS = ("HTTPS", "TLS")


def expand_actions(actions: list[dict]) -> list[dict]:
    out = []
    for index, action in enumerate(actions):
        item: dict = {"Type": action["type"]}
        order = action.get("order")
        item["Order"] = int(order) if known(order) and order else index + 1
        kind = action["type"]
        if kind == "forward":
            if action.get("target_group_arn"):
                item["TargetGroupArn"] = action["target_group_arn"]
            forward = (action.get("forward") or [None])[0]
            if forward:
                config: dict = {
                    "TargetGroups": [
                        {"TargetGroupArn": tg["arn"], "Weight": int(tg["weight"] if tg["weight"] is not None else 1)}
                        for tg in forward.get("target_group") or []
                    ]
                }
                sticky = (forward.get("stickiness") or [None])[0]
                if sticky:
                    config["TargetGroupStickinessConfig"] = {
                        "Enabled": bool(sticky["enabled"]),
                        "DurationSeconds": int(sticky["duration"]),
                    }
                item["ForwardConfig"] = config
        elif kind == "redirect":
            redirect = (action.get("redirect") or [{}])[0]
            item["RedirectConfig"] = {
                "Host": redirect.get("host") or "#{host}",
                "Path": redirect.get("path") or "/#{path}",
                "Port": redirect.get("port") or "#{port}",
                "Protocol": redirect.get("protocol") or "#{protocol}",
                "Query": redirect.get("query") if redirect.get("query") is not None else "#{query}",
                "StatusCode": redirect.get("status_code"),
            }
        elif kind == "fixed-response":
            fixed = (action.get("fixed_response") or [{}])[0]
            config = {"ContentType": fixed.get("content_type")}
            if fixed.get("message_body"):
                config["MessageBody"] = fixed["message_body"]
            if known(fixed.get("status_code")) and fixed.get("status_code"):
                config["StatusCode"] = fixed["status_code"]
            item["FixedResponseConfig"] = config
        out.append(item)
    return out


def flatten_actions(actions: list[dict], prior: list | None) -> list[dict]:
    prior = prior if isinstance(prior, list) else []
    out = []
    for index, action in enumerate(sorted(actions, key=lambda a: a.get("Order") or 0)):
        before = prior[index] if index < len(prior) and isinstance(prior[index], dict) else None
        prior_order = before.get("order") if before else None
        item: dict = {
            "type": action["Type"],
            "order": action.get("Order") or (prior_order if known(prior_order) and prior_order else index + 1),
            "target_group_arn": None,
            "forward": [],
            "redirect": [],
            "fixed_response": [],
        }
        if action["Type"] == "forward":
            groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
            single = action.get("TargetGroupArn") or (groups[0]["TargetGroupArn"] if len(groups) == 1 else None)
            wants_block = bool(before and before.get("forward"))
            wants_arn = before is None or bool(before.get("target_group_arn")) or not wants_block
            if wants_arn:
                item["target_group_arn"] = single
            if wants_block:
                if not groups and single:
                    groups = [{"TargetGroupArn": single, "Weight": 1}]
                sticky = (action.get("ForwardConfig") or {}).get("TargetGroupStickinessConfig") or {}
                prior_forward = before["forward"][0] if before and before.get("forward") else {}
                item["forward"] = [
                    {
                        "target_group": [{"arn": g["TargetGroupArn"], "weight": g.get("Weight", 1)} for g in groups],
                        "stickiness": [
                            {"duration": sticky.get("DurationSeconds", 0), "enabled": bool(sticky.get("Enabled"))}
                        ]
                        if prior_forward.get("stickiness") or sticky.get("Enabled")
                        else [],
                    }
                ]
        elif action["Type"] == "redirect":
            config = action.get("RedirectConfig") or {}
            item["redirect"] = [
                {
                    "host": config.get("Host"),
                    "path": config.get("Path"),
                    "port": config.get("Port"),
                    "protocol": config.get("Protocol"),
                    "query": config.get("Query"),
                    "status_code": config.get("StatusCode"),
                }
            ]
        elif action["Type"] == "fixed-response":
            config = action.get("FixedResponseConfig") or {}
            item["fixed_response"] = [
                {
                    "content_type": config.get("ContentType"),
                    "message_body": config.get("MessageBody", ""),
                    "status_code": config.get("StatusCode", ""),
                }
            ]
        out.append(item)
    return out


class Listener(_Elbv2):
    type_name = "aws_lb_listener"
    schema = resource_schema(
        optional("alpn_policy", String()),
        computed("arn", String()),
        optional("certificate_arn", String()),
        DEFAULT_ACTION,
        required("load_balancer_arn", String(), force_new=True),
        optional("port", Number()),
        optional("protocol", String(), computed=True),
        optional("ssl_policy", String(), computed=True),
        *tags_attributes(),
    )

    def _describe(self, arn: str) -> dict:
        return describe_one(
            self.client, "describe_listeners", "Listeners", (*_LISTENER_GONE, *_LB_GONE), ListenerArns=[arn]
        )

    @staticmethod
    def _args(planned: dict) -> dict:
        args: dict = {"DefaultActions": expand_actions(planned["default_action"] or [])}
        if planned["port"] is not None:
            args["Port"] = int(planned["port"])
        if known(planned["protocol"]):
            args["Protocol"] = str(planned["protocol"]).upper()
        elif ":loadbalancer/app/" in planned["load_balancer_arn"]:
            args["Protocol"] = "HTTP"  # the real provider keeps HTTP as the ALB default
        if known(planned["ssl_policy"]) and planned["ssl_policy"]:
            args["SslPolicy"] = planned["ssl_policy"]
        if planned["certificate_arn"]:
            args["Certificates"] = [{"CertificateArn": planned["certificate_arn"]}]
        if planned["alpn_policy"]:
            args["AlpnPolicy"] = [planned["alpn_policy"]]
        return args

    def create(self, ctx: ResourceContext, planned: dict) -> dict | None:
        args = self._args(planned)
        if planned["tags_all"]:
            args["Tags"] = dict_to_tag_list(planned["tags_all"])
        arn = self.client.create_listener(LoadBalancerArn=planned["load_balancer_arn"], **args)["Listeners"][0][
            "ListenerArn"
        ]
        state = {**planned, "id": arn}
        ctx.partial_state = state
        return self.read(ctx, state)

    def read(self, ctx: ResourceContext, current: dict) -> dict | None:
        arn = current["id"]
        listener = self._describe(arn)
        protocol = listener.get("Protocol") or ""
        certificates = listener.get("Certificates") or []
        alpn = listener.get("AlpnPolicy") or []
        state = dict(current)
        state.update(
            arn=arn,
            load_balancer_arn=listener.get("LoadBalancerArn"),
            port=listener.get("Port"),
            protocol=protocol,
            ssl_policy=listener.get("SslPolicy", "") if protocol in SECURE_PROTOCOLS else "",
            certificate_arn=certificates[0].get("CertificateArn") if certificates else None,
            alpn_policy=alpn[0] if alpn else None,
            default_action=flatten_actions(listener.get("DefaultActions") or [], current["default_action"]),
        )
        return self.set_tags_from_aws(state, self.aws_tags(arn))

    def update(self, ctx: ResourceContext, prior: dict, planned: dict) -> dict | None:
        arn = prior["id"]
        if {k: v for k, v in prior.items() if k not in ("tags", "tags_all")} != {
            k: v for k, v in planned.items() if k not in ("tags", "tags_all")
        }:
            self.client.modify_listener(ListenerArn=arn, **self._args(planned))
        self.update_tags(arn, prior, planned)
        return self.read(ctx, {**planned, "id": arn})

    def delete(self, ctx: ResourceContext, current: dict) -> None:
        arn = current["id"]
        ignore_codes(lambda: self.client.delete_listener(ListenerArn=arn), *_LISTENER_GONE, *_LB_GONE)
        wait_gone(lambda: self._describe(arn), what=f"ELBv2 Listener ({arn}) to be deleted")


RESOURCES = [LoadBalancer, TargetGroup, Listener]
