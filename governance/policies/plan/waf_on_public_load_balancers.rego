package idp.plan.waf_on_public_load_balancers

import data.idp.lib.terraform as tf
import rego.v1

metadata := {
	"id": "plan-waf-on-public-load-balancers",
	"title": "Internet-facing load balancers sit behind a WAF",
	"severity": "deny",
	"rationale": "The WAF's managed rules stop the common web attacks before they reach the application.",
	"remediation": "Associate a aws_wafv2_web_acl with the load balancer (aws_wafv2_web_acl_association).",
}

violations contains v if {
	some rc in tf.resources_of_types({"aws_lb", "aws_alb"}) # aws_alb is another name of aws_lb
	not rc.change.after.internal == true
	object.get(rc.change.after, "load_balancer_type", "application") == "application"
	count(tf.attached(rc, "aws_wafv2_web_acl_association", "resource_arn", "arn")) == 0
	v := {
		"resource": rc.address,
		"attribute": "internal",
		"value": "internet-facing, no web ACL",
		"message": sprintf("%s faces the internet without a WAF web ACL.", [rc.address]),
	}
}
