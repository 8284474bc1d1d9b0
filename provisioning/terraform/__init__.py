"""The Terraform driver: plain Python, no Django models.

`workspace` writes a run's working folder (root module in Terraform JSON
syntax, `terraform.tfvars.json`, backend configuration), `cli` runs the
terraform binary with streamed, machine-readable output, `plan_diff` turns
plan JSON into a readable diff.
"""
