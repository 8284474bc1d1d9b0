"""The policies are proven on plans the real hashicorp/aws provider wrote, not only on our sandbox's."""

from __future__ import annotations

import json
import re
import shutil

import yaml

from governance.policy import POLICY_DIR, evaluate
from governance.policy_tests import run_policy_tests
from governance.tests.conftest import copy_policies, point_policies_at

FOLDER = POLICY_DIR / "tests" / "real_plans"


def plans() -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(FOLDER.glob("*.json"))]


def test_the_corpus_is_real_varied_and_its_sources_are_recorded():
    sources = {entry["file"]: entry for entry in yaml.safe_load((FOLDER / "SOURCES.yaml").read_text())}
    files = sorted(p.name for p in FOLDER.glob("*.json"))
    assert len(files) >= 15 and set(files) == set(sources)
    for entry in sources.values():
        assert re.fullmatch(r"[0-9a-f]{40}", entry["commit"]) and entry["licence"] and entry["repository"]
    versions = {p["terraform_version"] for p in plans()}
    assert any(v.startswith("0.13") for v in versions) and any(v.startswith("1.1") for v in versions)
    assert {str(e["provider_version"])[:1] for e in sources.values()} >= {"3", "4", "5"}


def test_every_real_plan_is_judged_exactly_as_written_down(shipped_policy_report):
    report = shipped_policy_report
    assert not report.failed, report.failed
    expected = yaml.safe_load((FOLDER / "expected.yaml").read_text())
    assert len(report.real_plans) == sum(len(entry["tiers"]) for entry in expected) >= 30


def test_a_verdict_the_policies_no_longer_give_fails_the_check(tmp_path, monkeypatch):
    # given a copy of the policies where the expected results name one violation too many
    root = copy_policies(tmp_path)
    point_policies_at(monkeypatch, root)
    expected_file = root / "tests" / "real_plans" / "expected.yaml"
    expected = yaml.safe_load(expected_file.read_text())
    entry = next(e for e in expected if e["file"].startswith("nyaras"))
    entry["tiers"]["dev"].append({"policy": "plan-no-public-data-stores", "resource": "aws_vpc.main", "why": "made up"})
    expected_file.write_text(yaml.safe_dump(expected))

    # when the policy tests run, then the difference is named
    report = run_policy_tests(root)
    [failure] = [f for f in report.failed if "nyaras" in f]
    assert "missing [plan-no-public-data-stores on aws_vpc.main]" in failure
    shutil.rmtree(tmp_path / "governance")


def test_every_real_plan_evaluates_in_the_time_a_request_can_wait():
    # the slowest real plan, not a benchmark: only that nothing degenerates (minutes, errors)
    for plan in plans():
        evaluate("plan", {"request": {"tier": "prod"}, "plan": plan})
