package idp.plan.no_public_data_stores

import data.idp.lib.terraform as tf
import rego.v1

metadata := {
	"id": "plan-no-public-data-stores",
	"title": "Databases, warehouses and notebooks are never publicly accessible",
	"severity": "deny",
	"rationale": "A database with a public endpoint is one leaked password away from a breach; a notebook with direct internet access can send its data anywhere.",
	"remediation": "Set publicly_accessible = false and reach the database from inside the VPC; give notebooks direct_internet_access = \"Disabled\" and a private subnet.",
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

# A SageMaker notebook gets its own route to the internet unless direct_internet_access is
# "Disabled" (the real provider's default is "Enabled"); then it reaches only what its VPC reaches.
violations contains v if {
	some rc in tf.resources_of_type("aws_sagemaker_notebook_instance")
	not rc.change.after.direct_internet_access == "Disabled"
	v := {
		"resource": rc.address,
		"attribute": "direct_internet_access",
		"value": sprintf("%v", [object.get(rc.change.after, "direct_internet_access", null)]),
		"message": sprintf("%s would have direct internet access.", [rc.address]),
		"remediation": "Set direct_internet_access = \"Disabled\" and put the notebook in a private subnet.",
	}
}
