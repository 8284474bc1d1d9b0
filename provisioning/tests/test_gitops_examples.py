"""The shipped examples/gitops/ files are valid request files, and their CI workflows run `platform validate`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from provisioning.gitops.check import check_file

pytestmark = pytest.mark.django_db
EXAMPLES = Path(settings.BASE_DIR) / "examples" / "gitops"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("environments/*.yaml")), ids=lambda p: p.name)
def test_each_shipped_request_file_is_valid(path, alice, catalogue):
    outcome = check_file(alice, str(path.relative_to(EXAMPLES)), path.read_text())
    assert outcome.valid, [str(p) for p in outcome.problems]
    assert outcome.action == "create" and outcome.quote["monthly"].startswith("$")


def test_the_ci_workflows_run_platform_validate():
    github = yaml.safe_load((EXAMPLES / ".github" / "workflows" / "validate-requests.yml").read_text())
    steps = [step.get("run", "") for step in github["jobs"]["validate"]["steps"]]
    assert any(run.startswith("platform validate --format github") for run in steps)
    gitlab = yaml.safe_load((EXAMPLES / ".gitlab-ci.yml").read_text())
    assert any(line.startswith("platform validate") for line in gitlab["validate-requests"]["script"])
