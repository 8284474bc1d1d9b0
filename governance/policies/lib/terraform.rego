# Helpers over `terraform show -json` plan output, shared by the plan policies.
package idp.lib.terraform

import rego.v1

# Resource changes that leave a resource in place afterwards (create, update, replace).
resources contains rc if {
	some rc in input.plan.resource_changes
	rc.mode == "managed"
	some action in rc.change.actions
	action in {"create", "update"}
}

resources_of_type(type) := {rc | some rc in resources; rc.type == type}

# Configuration address of a resource change: module path + type + name, without count/for_each keys.
config_address(rc) := concat(".", [rc.module_address, rc.type, rc.name]) if rc.module_address
config_address(rc) := concat(".", [rc.type, rc.name]) if not rc.module_address

# Every resource block of the configuration, keyed by its configuration address.
config_resources[address] := resource if {
	some resource in input.plan.configuration.root_module.resources
	address := resource.address
}

config_resources[address] := resource if {
	some name, call in input.plan.configuration.root_module.module_calls
	some resource in call.module.resources
	address := concat(".", ["module", name, resource.address])
}

module_prefix(address) := prefix if {
	parts := split(address, ".")
	count(parts) > 2
	parts[0] == "module"
	prefix := concat(".", array.slice(parts, 0, 2))
}

module_prefix(address) := "" if {
	parts := split(address, ".")
	parts[0] != "module"
}

# References written in an attribute of a resource block.
references(address, attribute) := refs if {
	refs := config_resources[address].expressions[attribute].references
} else := []

# True when some resource of `source_type` in the same module refers to `rc` in `attribute`.
referenced_by(rc, source_type, attribute) if count(referring(rc, source_type, attribute)) > 0

# The configuration addresses of the resource blocks of `source_type` (same module) that refer to `rc` in `attribute`.
referring(rc, source_type, attribute) := {address | resource := config_resources[address]; refers(rc, address, resource, source_type, attribute)}

refers(rc, address, resource, source_type, attribute) if {
	resource.type == source_type
	module_prefix(address) == module_prefix(config_address(rc))
	some ref in references(address, attribute)
	refers_to(ref, concat(".", [rc.type, rc.name]))
}

refers_to(ref, target) if ref == target

refers_to(ref, target) if startswith(ref, concat("", [target, "."]))

refers_to(ref, target) if startswith(ref, concat("", [target, "["]))

# Planned values of the resource changes in `addresses` (configuration addresses).
planned_for(addresses) := {rc.change.after | some rc in resources; config_address(rc) in addresses}

tier := input.request.tier

config := data.idp_config
