package idp.plan.production_deletion_protection

import data.idp.lib.terraform as tf
import rego.v1

metadata := {
	"id": "plan-production-deletion-protection",
	"title": "Production databases are protected from deletion",
	"severity": "deny",
	"rationale": "A production database deleted by mistake (a console click, a script, a plan that replaces it) loses its data since the last backup; AWS refuses to delete a protected one. The portal's decommission lifts the protection once the decommission is approved.",
	"remediation": "Set deletion_protection = true on the database in the prod tier (the shipped patterns do: deletion_protection = var.tier == \"prod\" && !var.decommissioning).",
}

violations contains v if {
	tf.tier == "prod"
	some rc in tf.resources_of_types({"aws_db_instance", "aws_rds_cluster"})
	not rc.change.after.deletion_protection == true
	v := {
		"resource": rc.address,
		"attribute": "deletion_protection",
		"value": sprintf("%v", [object.get(rc.change.after, "deletion_protection", null)]),
		"message": sprintf("%s is a production database without deletion protection.", [rc.address]),
	}
}
