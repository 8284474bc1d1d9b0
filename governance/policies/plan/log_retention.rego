package idp.plan.log_retention

import data.idp.lib.terraform as tf
import rego.v1

metadata := {
	"id": "plan-log-retention",
	"title": "Production logs are kept at least 30 days",
	"severity": "warn",
	"rationale": "Incident reviews regularly need a month of logs.",
	"remediation": "Choose a log retention of 30 days or more.",
}

violations contains v if {
	tf.tier == "prod"
	some rc in tf.resources_of_type("aws_cloudwatch_log_group")
	retention := rc.change.after.retention_in_days
	retention > 0
	retention < 30
	v := {
		"resource": rc.address,
		"attribute": "retention_in_days",
		"value": sprintf("%v days", [retention]),
		"message": sprintf("%s keeps logs for %v days only.", [rc.address, retention]),
	}
}
