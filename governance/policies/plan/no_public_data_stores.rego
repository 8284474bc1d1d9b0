package idp.plan.no_public_data_stores

import data.idp.lib.terraform as tf
import rego.v1

metadata := {
	"id": "plan-no-public-data-stores",
	"title": "Databases and warehouses are never publicly accessible",
	"severity": "deny",
	"rationale": "A database with a public endpoint is one leaked password away from a breach.",
	"remediation": "Set publicly_accessible = false and reach the database from inside the VPC.",
}

violations contains v if {
	some type in {"aws_db_instance", "aws_redshift_cluster", "aws_rds_cluster_instance"}
	some rc in tf.resources_of_type(type)
	not rc.change.after.publicly_accessible == false
	v := {
		"resource": rc.address,
		"attribute": "publicly_accessible",
		"value": sprintf("%v", [object.get(rc.change.after, "publicly_accessible", null)]),
		"message": sprintf("%s would be publicly accessible.", [rc.address]),
	}
}
