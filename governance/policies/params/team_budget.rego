package idp.params.team_budget

import rego.v1

metadata := {
	"id": "params-team-budget",
	"title": "Within the team's monthly budget",
	"severity": "deny",
	"rationale": "The team chose to refuse changes that would take it over its monthly budget (budget mode: deny).",
	"remediation": "Choose a smaller size or a shorter life, or decommission an environment first; a team lead can raise the budget.",
}

# input.costs (provisioning/costing.py): month to date + the rest of the month of what runs + this change.
violations contains v if {
	input.costs.mode == "deny"
	input.costs.over_budget
	v := {
		"value": concat("", [input.costs.text.over_by, " over"]),
		"message": why,
		"remediation": concat(" ", what_fits),
	}
}

why := concat("", [
	"This change takes the team's projected spend this month to ", input.costs.text.projected,
	", ", input.costs.text.over_by, " over its budget of ", input.costs.text.budget, " (",
	input.costs.text.month_to_date, " spent so far, ", input.costs.text.rest_of_month,
	" more from what runs now, ", input.costs.text.delta_this_month, " from this change).",
])

what_fits := array.concat(array.concat(array.concat(
	[concat("", ["It fits if it adds at most ", input.costs.text.max_monthly_delta, " a month."])],
	sizes), lifetime), biggest)

sizes := [concat("", ["Choices that fit: ", concat("; ", input.costs.fits.sizes), "."])] if {
	count(input.costs.fits.sizes) > 0
} else := []

lifetime := [sprintf("Or keep it at most %v days this month (a shorter time to live).", [input.costs.max_days_running])] if {
	is_number(input.costs.max_days_running)
} else := []

biggest := [concat("", ["The team's most expensive environments: ", concat(", ", input.costs.fits.biggest_environments), "."])] if {
	count(input.costs.fits.biggest_environments) > 0
} else := []
