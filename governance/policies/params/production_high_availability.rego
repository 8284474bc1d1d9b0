package idp.params.production_high_availability

import rego.v1

metadata := {
	"id": "params-prod-multi-az",
	"title": "Production databases run in two availability zones",
	"severity": "deny",
	"rationale": "A single-zone production database is down for the whole of an AZ outage.",
	"remediation": "Tick 'Standby in a second availability zone'.",
	"field": "multi_az",
}

violations contains v if {
	input.request.tier == "prod"
	input.request.parameters.multi_az == false
	v := {"value": "false", "message": "Production databases need a standby in a second availability zone."}
}
