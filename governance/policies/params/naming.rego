package idp.params.naming

import rego.v1

metadata := {
	"id": "params-naming",
	"title": "Environment names follow the naming rules",
	"severity": "deny",
	"rationale": "Names appear in every resource and alert; a dev environment called 'prod-…' has caused production incidents before.",
	"remediation": "Choose a descriptive name that does not claim another tier.",
	"field": "name",
}

violations contains v if {
	input.request.name in data.idp_config.reserved_environment_names
	v := {
		"value": input.request.name,
		"message": sprintf("'%s' is reserved.", [input.request.name]),
		"remediation": "Use a name that says what the environment is for, e.g. checkout-api.",
	}
}

violations contains v if {
	input.request.tier != "prod"
	some word in {"prod", "production", "live"}
	word in split(input.request.name, "-")
	v := {
		"value": input.request.name,
		"message": sprintf("A %s environment must not be named like production ('%s').", [input.request.tier, word]),
		"remediation": sprintf("Remove '%s' from the name.", [word]),
	}
}
