# Helpers over `terraform show -json` plan output, shared by the plan policies.
# `input.facts` is derived from the plan by governance/plan_facts.py: modules at any depth,
# tags with provider defaults, regions from every source, ingress grants, address ranges.
package idp.lib.terraform

import rego.v1

# Resource changes that leave a resource in place afterwards (create, update, replace).
resources contains rc if {
	some rc in input.plan.resource_changes
	rc.mode == "managed"
	some action in rc.change.actions
	action in {"create", "update"}
}

# Indexed once per evaluation: rego-cpp memoises rules, not functions.
by_type[type] contains rc if {
	some rc in resources
	type := rc.type
}

resources_of_type(type) := object.get(by_type, type, set())

# What exists after the plan, unchanged resources too: what a changing resource may be attached to
# (an update of a bucket's tags leaves its encryption configuration a no-op, still in place).
present contains rc if {
	some rc in input.plan.resource_changes
	rc.mode == "managed"
	some action in rc.change.actions
	action in {"create", "update", "no-op"}
}

present_by_type[type] contains rc if {
	some rc in present
	type := rc.type
}

present_of_type(type) := object.get(present_by_type, type, set())

resources_of_types(types) := {rc | some type in types; some rc in resources_of_type(type)}

# The resource block behind a resource change (module path + type + name, instance keys stripped).
config_address(rc) := input.facts.config_address[rc.address]

# A resource block that really produces a resource in this plan (not `count = 0`, not only destroyed).
exists(address) if count(object.get(input.facts.instances, address, [])) > 0

# The blocks of `source_type`, in the same module, that refer to `rc` in `attribute` and exist.
referring(rc, source_type, attribute) := {address | some address in object.get(object.get(object.get(input.facts.referrers, config_address(rc), {}), source_type, {}), attribute, [])}

referenced_by(rc, source_type, attribute) if count(referring(rc, source_type, attribute)) > 0

# Resource changes of `source_type` attached to `rc` by reference, or by `attribute` naming the same
# value as `rc`'s `own` attribute (a bucket name written out, or an existing resource's id).
attached(rc, source_type, attribute, own) := {source.address | some source in present_of_type(source_type); attaches(rc, source, attribute, own)}

attaches(rc, source, attribute, own) if config_address(source) in referring(rc, source.type, attribute)

attaches(rc, source, attribute, own) if {
	value := source.change.after[attribute]
	is_string(value)
	value == rc.change.after[own]
}

# Planned values of the resource changes of the blocks in `addresses`.
planned_for(addresses) := {rc.change.after | some rc in resources; config_address(rc) in addresses}

tier := object.get(object.get(input, "request", {}), "tier", "")

config := data.idp_config
