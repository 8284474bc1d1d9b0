package idp.params.development_lifetime

import rego.v1

metadata := {
	"id": "params-dev-lifetime",
	"title": "Development environments are short-lived",
	"severity": "warn",
	"rationale": "Most development environments are finished with within a week.",
	"remediation": "Consider 7 days or fewer; you can extend it later.",
	"field": "ttl_days",
}

violations contains v if {
	input.request.tier == "dev"
	is_number(input.request.ttl_days)
	input.request.ttl_days > 7
	v := {"value": sprintf("%d days", [input.request.ttl_days]), "message": "This development environment lives longer than a week."}
}
