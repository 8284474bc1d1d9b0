package idp.params.team_budget_review

import rego.v1

metadata := {
	"id": "params-team-budget-review",
	"title": "Over budget: finance reviews the change",
	"severity": "warn",
	"rationale": "The team chose to let changes over its monthly budget go ahead once finance approves (budget mode: approve).",
	"remediation": "Nothing to fix: a finance reviewer decides. A smaller size or a shorter life would avoid the review.",
}

violations contains v if {
	input.costs.mode == "approve"
	input.costs.over_budget
	v := {
		"value": concat("", [input.costs.text.over_by, " over"]),
		"message": concat("", [
			"This change takes the team's projected spend this month to ", input.costs.text.projected,
			", ", input.costs.text.over_by, " over its budget of ", input.costs.text.budget,
			"; the finance group must approve it.",
		]),
	}
}
