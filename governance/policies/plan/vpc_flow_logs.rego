package idp.plan.vpc_flow_logs

import data.idp.lib.terraform as tf
import rego.v1

metadata := {
	"id": "plan-vpc-flow-logs",
	"title": "Every VPC logs its traffic",
	"severity": "deny",
	"rationale": "Without flow logs nobody can tell, after an incident, which addresses reached what inside the network, or which connections were refused.",
	"remediation": "Add an aws_flow_log with traffic_type = \"ALL\" and vpc_id = the VPC's id, delivered to an encrypted bucket or log group (the shipped patterns' flow_logs.tf shows how).",
}

violations contains v if {
	some rc in tf.resources_of_type("aws_vpc")
	not logged(rc)
	v := {
		"resource": rc.address,
		"attribute": "flow logs",
		"value": "none",
		"message": sprintf("%s has no flow log: nothing records the traffic in and out of it.", [rc.address]),
	}
}

# A flow log whose vpc_id leads to this VPC's block (across modules: input.facts.flow_logs).
logged(rc) if {
	some flow_log in input.facts.flow_logs
	tf.config_address(rc) in flow_log.vpcs
}

# A flow log naming the id of this VPC when it is known (a VPC that already exists).
logged(rc) if {
	id := rc.change.after.id
	is_string(id)
	some flow_log in tf.present_of_type("aws_flow_log")
	flow_log.change.after.vpc_id == id
}

# Part of the way is hidden from plan JSON (a local, a for_each value): a flow log in the VPC's own
# module or one of its child modules is taken to be the VPC's.
logged(rc) if {
	some flow_log in input.facts.flow_logs
	flow_log.untraced
	inside(flow_log.module, module_of(rc))
}

module_of(rc) := "" if tf.config_address(rc) == sprintf("%s.%s", [rc.type, rc.name])

module_of(rc) := trim_suffix(address, sprintf(".%s.%s", [rc.type, rc.name])) if {
	address := tf.config_address(rc)
	address != sprintf("%s.%s", [rc.type, rc.name])
}

inside(_, "")

inside(module, parent) if module == parent

inside(module, parent) if startswith(module, concat("", [parent, "."]))
