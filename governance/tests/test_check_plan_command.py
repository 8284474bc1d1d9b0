"""`manage.py check_plan PLAN.json`: the whole plan policy set on any plan file, for platform teams and CI."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from governance.policy import POLICY_DIR

REAL = POLICY_DIR / "tests" / "real_plans"


def check_plan(*args: str) -> str:
    out = StringIO()
    call_command("check_plan", *args, stdout=out)
    return out.getvalue()


def test_a_plan_that_breaks_policy_is_listed_with_what_to_fix_and_fails():
    out = StringIO()
    with pytest.raises(CommandError, match="violation\\(s\\) deny this plan in the prod tier") as refused:
        call_command(
            "check_plan", str(REAL / "nyaras_tf112_aws448_ec2_vpc_open_ssh.json"), "--tier", "prod", stdout=out
        )
    assert refused.value.returncode == 1
    text = out.getvalue()
    assert "DENY  plan-no-open-ingress  aws_security_group.main.ingress.cidr_blocks = 0.0.0.0/0 to ports 22-22" in text
    assert "fix: Replace these ranges" in text


def test_a_compliant_plan_passes():
    output = check_plan(str(REAL / "checkov_tf146_sg_rule_update_compliant.json"))
    assert "every plan policy passed in the dev tier" in output


def test_json_output_carries_every_violation(capsys):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check_plan", str(REAL / "trivy_tf103_s3_sse_open_http_sg.json"), "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["tier"] == "dev" and report["deny"] == len(
        [v for v in report["violations"] if v["severity"] == "deny"]
    )
    assert {"policy", "resource", "attribute", "value", "message", "remediation"} <= set(report["violations"][0])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("{not json", "not JSON"),
        ('{"resources": []}', "not a plan"),
        ("[1, 2]", "not a plan"),
    ],
)
def test_a_file_that_is_not_a_plan_gets_a_clear_error(tmp_path, content, message):
    path = tmp_path / "plan.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("check_plan", str(path))
