"""Judge any `terraform show -json` plan with the portal's plan policies, as the portal would."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.choices import Tier
from governance.policy import PolicySetBroken, evaluate


class Command(BaseCommand):
    help = (
        "Evaluate every plan policy on a plan file (terraform show -json) and print the violations. "
        "Exits 1 when a deny fires, so CI can run it."
    )

    def add_arguments(self, parser):
        parser.add_argument("plan", type=Path, help="a plan in JSON: terraform show -json tfplan > plan.json")
        parser.add_argument("--tier", choices=Tier.values, default=Tier.DEV, help="the tier to judge it for")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, plan: Path, tier: str, format: str, **options):
        document = read_plan(plan)
        try:
            results = evaluate("plan", {"request": {"tier": tier}, "plan": document})
        except PolicySetBroken as exc:
            raise CommandError("The policy set is broken: " + "; ".join(exc.problems)) from None
        denies = [r for r in results if r["severity"] == "deny"]
        if format == "json":
            self.stdout.write(json.dumps({"tier": tier, "deny": len(denies), "violations": results}, indent=2))
        else:
            self.stdout.write(render(results, plan, tier))
        if denies:
            raise CommandError(f"{len(denies)} violation(s) deny this plan in the {tier} tier.", returncode=1)


def read_plan(path: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{path}:{exc.lineno}: not JSON ({exc.msg}). Write it with `terraform show -json tfplan`."
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("resource_changes", []), list):
        raise CommandError(f"{path}: not a plan: expected the object `terraform show -json` writes.")
    if "format_version" not in document or not ({"resource_changes", "planned_values"} & set(document)):
        raise CommandError(
            f"{path}: not a plan (no format_version or resource_changes). "
            "Use `terraform show -json tfplan` on a saved plan, not the state or the configuration."
        )
    return document


def render(results: list[dict], path: Path, tier: str) -> str:
    if not results:
        return f"{path}: every plan policy passed in the {tier} tier."
    lines = []
    for r in sorted(results, key=lambda r: (r["severity"] != "deny", r["policy"], r["resource"])):
        where = f"{r['resource']}.{r['attribute']}" if r["attribute"] else r["resource"]
        lines += [
            f"{r['severity'].upper():5} {r['policy']}  {where} = {r['value']}",
            f"      {r['message']}",
            f"      fix: {r['remediation']}",
        ]
    denies = sum(1 for r in results if r["severity"] == "deny")
    lines.append(f"{path}: {denies} deny, {len(results) - denies} warning(s) in the {tier} tier.")
    return "\n".join(lines)
