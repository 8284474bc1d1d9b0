from django.core.management.base import BaseCommand, CommandError

from governance.approval_rules import ApprovalRulesError, load_rules
from governance.policy import PolicyError, load_policy_set
from governance.policy_tests import run_policy_tests


class Command(BaseCommand):
    help = "Compile every Rego policy, run the policy tests and validate the approval rules."

    def handle(self, *args, **options):
        try:
            policy_set = load_policy_set()
        except PolicyError as exc:
            for problem in exc.problems:
                self.stderr.write(f"error: {problem}")
            raise CommandError("The policy set does not compile; the portal refuses to evaluate changes.") from None
        self.stdout.write(f"{len(policy_set.policies)} policies compiled.")
        report = run_policy_tests()
        for name in report.passed + report.real_plans:
            self.stdout.write(f"  ok    {name}")
        for name in report.failed:
            self.stderr.write(f"  FAIL  {name}")
        for name in report.missing:
            self.stderr.write(f"  MISSING {name}")
        try:
            rules = load_rules()
        except ApprovalRulesError as exc:
            for problem in exc.problems:
                self.stderr.write(f"error: {problem}")
            raise CommandError("The approval rules are invalid.") from None
        self.stdout.write(f"{len(rules)} approval rules valid.")
        if not report.ok:
            raise CommandError(
                f"{len(report.failed)} policy test(s) failed, {len(report.missing)} policies lack tests."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.passed)} policy tests passed; {len(report.real_plans)} real plans judged as expected."
            )
        )
