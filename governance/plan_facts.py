"""Facts about a Terraform plan that Rego cannot work out alone, given to the policies as `input.facts`.

Policies decide; this module only describes the plan, whichever Terraform (0.13 to 1.x), provider
version (3 to 5) or module layout wrote it:

- `config_address` / `instances` / `referrers`: the resource block behind every resource change
  (modules at any depth, `count` and `for_each` keys stripped), which blocks really produce a
  resource (a block with `count = 0` produces none), and which blocks refer to which;
- `tags`: the tags each taggable resource will carry, the provider's `default_tags` included, and
  whether some are not known at plan time;
- `regions`: where the plan deploys, from every source (the portal's variable, provider
  configurations, a resource's own `region`, availability zones);
- `ingress`: every grant of inbound access (security groups, default security groups, and both
  kinds of standalone rule), the group it opens, and whether a load balancer uses that group;
- `cidrs`: each address range written in those grants, judged as a range: valid or not, IPv4 or
  IPv6, and how many public (non-private) addresses it holds;
- `flow_logs`: for each flow-log block, the VPC blocks its `vpc_id` leads to, followed through module
  inputs and outputs at any depth, and whether part of the way is hidden (a `local`, a `for_each`
  value or a data source: plan JSON does not show what they hold).

Plain Python: no Django, no app import.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

INDEX_RE = re.compile(r"\[[^\]]*\]")
ZONE_RE = re.compile(r"^([a-z]{2}(?:-gov)?-[a-z]+-\d+)")
LIVE_ACTIONS = {"create", "update"}
LOAD_BALANCER_TYPES = ("aws_lb", "aws_alb")
# Address space that is not reachable from the internet: ingress from it is not public exposure.
NOT_PUBLIC = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
    )
]  # fmt: skip
CIDR_TEXT_RE = re.compile(r"^[0-9A-Fa-f:.]+/[0-9]{1,3}$")


def derive(plan: dict) -> dict:
    configuration = plan.get("configuration") or {}
    blocks = config_resources(configuration)
    changes = [rc for rc in plan.get("resource_changes") or [] if isinstance(rc, dict)]
    addresses = {rc["address"]: config_address_of(rc) for rc in changes if "address" in rc}
    instances: dict[str, list[str]] = {}
    for rc in changes:
        if rc.get("change", {}).get("actions") != ["delete"]:
            instances.setdefault(addresses.get(rc.get("address"), ""), []).append(rc.get("address"))
    providers = ProviderConfigs(configuration, plan.get("variables") or {})
    ingress = ingress_grants(changes, addresses, blocks)
    return {
        "config_address": addresses,
        "instances": instances,
        "referrers": referrers(blocks, instances),
        "tags": resource_tags(changes, addresses, blocks, providers),
        "regions": regions(plan, changes, providers),
        "ingress": ingress,
        "cidrs": {cidr: cidr_fact(cidr) for grant in ingress for cidr in grant["cidrs"]},
        "flow_logs": flow_log_targets(configuration, blocks, instances),
    }


# -- the configuration -----------------------------------------------------------------------
def _modules(module: dict, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict]]:
    yield path, module
    for name, call in (module.get("module_calls") or {}).items():
        yield from _modules((call or {}).get("module") or {}, (*path, name))


def module_prefix(path: tuple[str, ...]) -> str:
    return ".".join(f"module.{name}" for name in path)


def config_resources(configuration: dict) -> dict[str, dict]:
    """{configuration address: {type, name, module, provider_config_key, references: {attribute: [refs]}}}."""
    found = {}
    for path, module in _modules(configuration.get("root_module") or {}):
        prefix = module_prefix(path)
        for block in module.get("resources") or []:
            address = f"{prefix}.{block['address']}" if prefix else block["address"]
            expressions = block.get("expressions") or {}
            found[address] = {
                "type": block.get("type"),
                "name": block.get("name"),
                "mode": block.get("mode"),
                "module": prefix,
                "provider_config_key": block.get("provider_config_key") or "",
                "references": {attribute: references(value) for attribute, value in expressions.items()},
            }
    return found


def references(expression) -> list[str]:
    """Every reference under an expression, nested blocks included."""
    if isinstance(expression, list):
        return [ref for item in expression for ref in references(item)]
    if not isinstance(expression, dict):
        return []
    if "references" in expression and isinstance(expression["references"], list):
        return [ref for ref in expression["references"] if isinstance(ref, str)]
    return [ref for value in expression.values() for ref in references(value)]


def referrers(blocks: dict, instances: dict) -> dict:
    """{target block: {source type: {attribute: [source blocks]}}}: who refers to whom, in the same module.

    Only sources that produce a resource count: a block disabled with `count = 0` proves nothing.
    """
    found: dict[str, dict[str, dict[str, list[str]]]] = {}
    for source, block in blocks.items():
        if not instances.get(source):
            continue
        for attribute, refs in block["references"].items():
            for ref in refs:
                parts = ref.split(".")
                if len(parts) < 2 or parts[0] in ("var", "local", "module", "data", "each", "count", "path", "self"):
                    continue
                local = INDEX_RE.sub("", f"{parts[0]}.{parts[1]}")
                target = f"{block['module']}.{local}" if block["module"] else local
                if target in blocks and target != source:
                    sources = found.setdefault(target, {}).setdefault(block["type"], {}).setdefault(attribute, [])
                    if source not in sources:
                        sources.append(source)
    return found


def flow_log_targets(configuration: dict, blocks: dict, instances: dict) -> dict:
    """{flow-log block: {"module": its module, "vpcs": [VPC blocks], "untraced": bool}} for the flow logs
    that exist after the plan."""
    modules = {module_prefix(path): module for path, module in _modules(configuration.get("root_module") or {})}
    found = {}
    for address, block in blocks.items():
        if block["type"] != "aws_flow_log" or block["mode"] != "managed" or not instances.get(address):
            continue
        vpcs, untraced = _trace(block["references"].get("vpc_id", []), block["module"], "aws_vpc", modules)
        found[address] = {"module": block["module"], "vpcs": sorted(vpcs), "untraced": untraced}
    return found


def _trace(refs: list[str], module: str, target_type: str, modules: dict, depth: int = 0) -> tuple[set[str], bool]:
    """The `target_type` blocks that references lead to, through module inputs (`var.x` -> the calling
    module's argument) and outputs (`module.m.x` -> the child's output), and whether some led nowhere
    visible (a local, a data source, `each.value`, a root variable)."""
    found: set[str] = set()
    untraced = False
    refs = list(dict.fromkeys(refs))
    # Terraform lists `module.m.x` and then `module.m`, `aws_vpc.a.id` and `aws_vpc.a`: the shorter says nothing more.
    for ref in [r for r in refs if not any(other.startswith(f"{r}.") for other in refs)]:
        parts = [INDEX_RE.sub("", part) for part in ref.split(".")]
        if depth > 20 or len(parts) < 2:
            untraced = True
        elif parts[0] == target_type:
            found.add(f"{module}.{target_type}.{parts[1]}" if module else f"{target_type}.{parts[1]}")
        elif parts[0] == "var" and module:
            parent, _, call = module.rpartition(".module.") if ".module." in module else ("", "", module[7:])
            argument = ((modules.get(parent) or {}).get("module_calls") or {}).get(call, {}).get("expressions", {})
            more, hidden = _trace(references(argument.get(parts[1])), parent, target_type, modules, depth + 1)
            found |= more
            untraced |= hidden or parts[1] not in argument
        elif parts[0] == "module" and len(parts) >= 3:
            child = f"{module}.module.{parts[1]}" if module else f"module.{parts[1]}"
            output = ((modules.get(child) or {}).get("outputs") or {}).get(parts[2], {})
            more, hidden = _trace(references(output.get("expression")), child, target_type, modules, depth + 1)
            found |= more
            untraced |= hidden or not output
        else:
            untraced = True  # a local, data source, each/count, root variable or another resource's attribute
    return found, untraced


def config_address_of(rc: dict) -> str:
    module = INDEX_RE.sub("", rc.get("module_address") or "")
    prefix = "data." if rc.get("mode") == "data" else ""
    local = f"{prefix}{rc.get('type')}.{rc.get('name')}"
    return f"{module}.{local}" if module else local


class ProviderConfigs:
    """Provider configurations with what can be known of their region and default tags."""

    def __init__(self, configuration: dict, variables: dict):
        self.configs = configuration.get("provider_config") or {}
        self.variables = variables

    def value(self, expression, module: str):
        """(value, known) of a provider argument: a constant, or a root-module variable."""
        if not isinstance(expression, dict):
            return None, expression is None
        refs = expression.get("references") or []
        if not refs and "constant_value" in expression:
            return expression["constant_value"], True
        # A single variable of the root module (in JSON configuration the constant is then "${var.x}").
        if not module and len(refs) == 1 and refs[0].startswith("var."):
            variable = self.variables.get(refs[0].split(".")[1])
            if isinstance(variable, dict) and "value" in variable:
                return variable["value"], True
        return None, False

    def for_resource(self, block: dict | None, rc: dict) -> tuple[str, dict | None]:
        """The configuration key and block of the provider a resource uses."""
        key = (block or {}).get("provider_config_key") or rc.get("provider_name", "aws").rsplit("/", 1)[-1]
        if key in self.configs:
            return key, self.configs[key]
        name = key.split(":")[-1]
        module = (block or {}).get("module") or ""
        parts = module.split(".") if module else []
        for end in range(len(parts), 0, -2):  # the closest module up the tree that configures it
            candidate = f"{'.'.join(parts[:end])}:{name}"
            if candidate in self.configs:
                return candidate, self.configs[candidate]
        return name, self.configs.get(name)

    def default_tags(self, key: str, config: dict | None) -> tuple[dict, bool]:
        if not config:
            return {}, True
        blocks = (config.get("expressions") or {}).get("default_tags") or []
        tags, known = {}, True
        for block in blocks if isinstance(blocks, list) else [blocks]:
            value, is_known = self.value((block or {}).get("tags"), config.get("module_address") or "")
            if isinstance(value, dict):
                tags.update({k: v for k, v in value.items() if isinstance(v, str)})
            known = known and is_known
        return tags, known


# -- tags -------------------------------------------------------------------------------------
def _live(rc: dict) -> bool:
    return rc.get("mode") == "managed" and bool(LIVE_ACTIONS & set((rc.get("change") or {}).get("actions") or []))


def resource_tags(changes: list[dict], addresses: dict, blocks: dict, providers: ProviderConfigs) -> dict:
    """{address: {values, unknown, complete}} for every taggable resource created or updated."""
    found = {}
    for rc in changes:
        if not _live(rc):
            continue
        change = rc["change"]
        after, unknown = change.get("after") or {}, change.get("after_unknown") or {}
        if not any(key in after or key in unknown for key in ("tags", "tags_all")):
            continue  # the resource type has no tags
        tags_all, unknown_all = after.get("tags_all"), unknown.get("tags_all")
        if isinstance(tags_all, dict):
            values = {k: v for k, v in tags_all.items() if isinstance(v, str)}
            pending = [k for k, flag in unknown_all.items() if flag is True] if isinstance(unknown_all, dict) else []
            complete = True
        else:
            # tags_all unknown (computed tag values, or nothing known yet) or absent (provider < 3.38):
            # what is known is the provider's default tags plus the resource's own.
            key, config = providers.for_resource(blocks.get(addresses.get(rc["address"])), rc)
            values, complete = providers.default_tags(key, config)
            own, own_unknown = after.get("tags"), unknown.get("tags")
            if isinstance(own, dict):
                values = {**values, **{k: v for k, v in own.items() if isinstance(v, str)}}
            pending = [k for k, flag in own_unknown.items() if flag is True] if isinstance(own_unknown, dict) else []
            complete = complete and own_unknown is not True
        found[rc["address"]] = {"values": values, "unknown": sorted(set(pending) - set(values)), "complete": complete}
    return found


# -- regions ----------------------------------------------------------------------------------
def regions(plan: dict, changes: list[dict], providers: ProviderConfigs) -> list[dict]:
    """[{resource, attribute, region}]: every place the plan says where it deploys."""
    found: dict[tuple, dict] = {}

    def add(resource: str, attribute: str, region) -> None:
        if isinstance(region, str) and region:
            found[(resource, attribute, region)] = {"resource": resource, "attribute": attribute, "region": region}

    configuration = plan.get("configuration") or {}
    blocks = config_resources(configuration)
    portal_region = (plan.get("variables") or {}).get("idp_region")
    if isinstance(portal_region, dict):
        add("provider.aws", "region", portal_region.get("value"))
    for key, config in providers.configs.items():
        if config.get("name") != "aws":
            continue
        value, _ = providers.value((config.get("expressions") or {}).get("region"), config.get("module_address") or "")
        add(f"provider.{key}", "region", value)
    for rc in changes:
        if not _live(rc) or not str(rc.get("type", "")).startswith("aws_"):
            continue
        after = rc["change"].get("after") or {}
        _, config = providers.for_resource(blocks.get(config_address_of(rc)), rc)
        provider_region, _ = providers.value(((config or {}).get("expressions") or {}).get("region"), "")
        if after.get("region") != provider_region:  # the provider's region is reported once, for the provider
            add(rc["address"], "region", after.get("region"))
        zone = after.get("availability_zone")
        match = ZONE_RE.match(zone) if isinstance(zone, str) else None
        if match:
            add(rc["address"], "availability_zone", match.group(1))
    return sorted(found.values(), key=lambda r: (r["resource"], r["attribute"]))


# -- ingress ----------------------------------------------------------------------------------
def _unknown(flag) -> bool:
    """after_unknown marks an unknown value `true`, and a list with unknown items with `true` inside."""
    return flag is True or (isinstance(flag, list) and any(_unknown(item) for item in flag))


def _strings(value) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _group_of(rc: dict, attribute: str, addresses: dict, blocks: dict) -> str | None:
    """The security group a standalone rule opens: its id when known, else the block it refers to."""
    value = (rc["change"].get("after") or {}).get(attribute)
    if isinstance(value, str) and value:
        return value
    block = blocks.get(addresses.get(rc["address"]), {})
    for ref in block.get("references", {}).get(attribute, []):
        parts = ref.split(".")
        if len(parts) >= 2 and parts[0] in ("aws_security_group", "aws_default_security_group"):
            local = INDEX_RE.sub("", f"{parts[0]}.{parts[1]}")
            return f"{block['module']}.{local}" if block.get("module") else local
    return None


def _load_balancer_groups(changes: list[dict], blocks: dict) -> set[str]:
    """Security groups (configuration addresses or ids) that a load balancer of the plan uses."""
    groups = set()
    for block in blocks.values():
        if block["type"] in LOAD_BALANCER_TYPES:
            for ref in block["references"].get("security_groups", []):
                parts = ref.split(".")
                if len(parts) >= 2 and parts[0] == "aws_security_group":
                    local = INDEX_RE.sub("", f"{parts[0]}.{parts[1]}")
                    groups.add(f"{block['module']}.{local}" if block["module"] else local)
    for rc in changes:
        if rc.get("type") in LOAD_BALANCER_TYPES and _live(rc):
            groups.update(_strings((rc["change"].get("after") or {}).get("security_groups")))
    return groups


def ingress_grants(changes: list[dict], addresses: dict, blocks: dict) -> list[dict]:
    """Every inbound grant from address ranges, normalised over the four ways to write one."""
    balanced = _load_balancer_groups(changes, blocks)
    grants = []

    def grant(rc, attribute, group, entry, cidrs, unknown):
        grants.append(
            {
                "resource": rc["address"],
                "type": rc["type"],
                "attribute": attribute,
                "group": group or rc["address"],
                "load_balancer": group in balanced,
                "from_port": entry.get("from_port"),
                "to_port": entry.get("to_port"),
                "protocol": entry.get("protocol", entry.get("ip_protocol")),
                "cidrs": sorted(set(cidrs)),
                "unknown": unknown,
            }
        )

    for rc in changes:
        if not _live(rc):
            continue
        after, unknown = rc["change"].get("after") or {}, rc["change"].get("after_unknown") or {}
        kind = rc.get("type")
        if kind in ("aws_security_group", "aws_default_security_group"):
            group = addresses.get(rc["address"])
            if unknown.get("ingress") is True:
                grant(rc, "ingress", group, {}, [], True)
            pending_entries = unknown.get("ingress") if isinstance(unknown.get("ingress"), list) else []
            for index, entry in enumerate(after.get("ingress") or []):
                flags = pending_entries[index] if index < len(pending_entries) else {}
                cidrs = _strings(entry.get("cidr_blocks")) + _strings(entry.get("ipv6_cidr_blocks"))
                pending = isinstance(flags, dict) and any(
                    _unknown(flags.get(k)) for k in ("cidr_blocks", "ipv6_cidr_blocks")
                )
                if cidrs or pending:
                    grant(rc, "ingress.cidr_blocks", group, entry, cidrs, bool(pending))
        elif kind == "aws_security_group_rule" and after.get("type") == "ingress":
            cidrs = _strings(after.get("cidr_blocks")) + _strings(after.get("ipv6_cidr_blocks"))
            pending = _unknown(unknown.get("cidr_blocks")) or _unknown(unknown.get("ipv6_cidr_blocks"))
            if cidrs or pending:
                grant(rc, "cidr_blocks", _group_of(rc, "security_group_id", addresses, blocks), after, cidrs, pending)
        elif kind == "aws_vpc_security_group_ingress_rule":
            cidrs = [c for c in (after.get("cidr_ipv4"), after.get("cidr_ipv6")) if isinstance(c, str)]
            pending = _unknown(unknown.get("cidr_ipv4")) or _unknown(unknown.get("cidr_ipv6"))
            attribute = "cidr_ipv6" if after.get("cidr_ipv6") and not after.get("cidr_ipv4") else "cidr_ipv4"
            if cidrs or pending:
                grant(rc, attribute, _group_of(rc, "security_group_id", addresses, blocks), after, cidrs, pending)
    return grants


# -- address ranges ---------------------------------------------------------------------------
def cidr_fact(text: str) -> dict:
    """{valid, version, addresses, public}: `public` counts the addresses reachable from the internet."""
    if not isinstance(text, str) or not text.isascii() or not CIDR_TEXT_RE.match(text):
        return {"valid": False, "version": 0, "addresses": 0, "public": 0}
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return {"valid": False, "version": 0, "addresses": 0, "public": 0}
    hidden = sum(
        min(network.num_addresses, other.num_addresses)
        for other in NOT_PUBLIC
        if other.version == network.version and (network.subnet_of(other) or other.subnet_of(network))
    )
    # Float: an IPv6 count does not fit the 64-bit integers the Rego engine reads.
    return {
        "valid": True,
        "version": network.version,
        "addresses": float(network.num_addresses),
        "public": float(network.num_addresses - hidden),
    }
