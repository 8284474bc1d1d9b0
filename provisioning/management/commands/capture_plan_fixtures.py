"""Capture `terraform show -json` plans of the shipped patterns, as fixtures for the policy tests.

    python manage.py capture_plan_fixtures [--endpoint http://127.0.0.1:4566] [--tier dev] [--pattern web-app ...]

Runs the real terraform binary and the sandbox provider against a running moto
server (the sandbox cloud), with each pattern's default parameters, and writes
governance/policies/tests/fixtures/<pattern>-<tier>.json = {request, pattern, plan}.
"""

import json
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from catalogue.parameters import defaults
from catalogue.pattern_files import discover
from governance.policy import POLICY_DIR
from provisioning.runtime import cli_config_file, plugin_cache_dir, provide_sandbox_platform_keys
from provisioning.terraform.cli import TerraformCLI
from provisioning.terraform.workspace import BACKEND_CONFIG, LocalState, WorkspaceSpec, environment, write_workspace


class Command(BaseCommand):
    help = "Plan every shipped pattern in the sandbox cloud and save the plan JSON as policy test fixtures."

    def add_arguments(self, parser):
        parser.add_argument("--endpoint", default=settings.AWS_ENDPOINT_URL, help="moto server URL")
        parser.add_argument("--tier", default="dev")
        parser.add_argument("--out", type=Path, default=POLICY_DIR / "tests" / "fixtures")
        parser.add_argument("--pattern", action="append", default=[], help="only this pattern (repeatable)")

    def handle(self, *args, endpoint: str, tier: str, out: Path, pattern: list[str], **options):
        specs, errors = discover(settings.PATTERNS_DIR)
        if errors:
            raise SystemExit("\n".join(map(str, errors)))
        unknown = set(pattern) - {spec.slug for spec in specs}
        if unknown:
            raise SystemExit(
                f"No such pattern: {', '.join(sorted(unknown))}. Patterns: {', '.join(s.slug for s in specs)}."
            )
        specs = [spec for spec in specs if not pattern or spec.slug in pattern]
        out.mkdir(parents=True, exist_ok=True)
        for spec in specs:
            if tier not in spec.tiers:
                continue
            parameters = defaults(spec.parameters_schema)
            tags = {"team": "payments", "project": "fixture", "cost-centre": "CC-1001", "environment": tier,
                    "managed-by": "idp-portal", "idp:environment": "0", "pattern": f"{spec.slug}@{spec.version}"}  # fmt: skip
            with tempfile.TemporaryDirectory() as folder:
                workdir = Path(folder)
                workspace = WorkspaceSpec(
                    module_files=spec.module_files,
                    variables={**parameters, "name": f"fixture-{spec.slug}"[:28], "tier": tier, "tags": tags},
                    region=parameters.get("region", settings.AWS_DEFAULT_REGION),
                    default_tags=tags,
                    state=LocalState(workdir / "state" / "terraform.tfstate"),
                    sandbox_endpoint=endpoint,
                    extra_env={"AWS_ENDPOINT_URL": endpoint},
                )
                provide_sandbox_platform_keys(workspace)
                write_workspace(workdir / "ws", workspace)
                env = environment(workspace, cli_config_file=cli_config_file(), plugin_cache_dir=plugin_cache_dir())
                cli = TerraformCLI(settings.TERRAFORM_BIN, workdir / "ws", env)
                cli.init(lambda text: None, BACKEND_CONFIG)
                cli.plan(lambda text: None, "tfplan")
                plan = cli.show_json("tfplan")
            fixture = {
                "request": {
                    "action": "create",
                    "team": "payments",
                    "name": "fixture",
                    "tier": tier,
                    "ttl_days": 7,
                    "pattern": spec.slug,
                    "pattern_version": spec.version,
                    "data_classification": spec.data_classification,  # as governance.gates.request_input
                    "parameters": parameters,
                },  # fmt: skip
                "pattern": {"tiers": spec.tiers, "parameters": sorted(spec.parameters_schema["properties"])},
                "plan": plan,
            }
            path = out / f"{spec.slug}-{tier}.json"
            path.write_text(json.dumps(fixture, indent=1, sort_keys=True) + "\n")
            self.stdout.write(f"wrote {path} ({len(plan.get('resource_changes', []))} resource changes)")
