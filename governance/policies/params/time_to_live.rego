package idp.params.time_to_live

import rego.v1

metadata := {
	"id": "params-time-to-live",
	"title": "Time to live within the tier's limit",
	"severity": "deny",
	"rationale": "Short-lived tiers keep cost and attack surface down; forgotten environments are the largest source of waste.",
	"remediation": "Lower the time to live to the tier's maximum or choose another tier.",
	"field": "ttl_days",
}

rules := input.pattern.tiers[input.request.tier]

violations contains v if {
	is_number(rules.max_ttl_days)
	is_number(input.request.ttl_days)
	input.request.ttl_days > rules.max_ttl_days
	v := {
		"value": sprintf("%d days", [input.request.ttl_days]),
		"message": sprintf("The %s tier allows at most %d days.", [input.request.tier, rules.max_ttl_days]),
		"remediation": sprintf("Enter %d days or fewer.", [rules.max_ttl_days]),
	}
}

violations contains v if {
	input.request.tier == "dev"
	input.request.ttl_days == null
	v := {
		"value": "no expiry",
		"message": "Development environments must expire.",
		"remediation": "Enter a time to live.",
	}
}
