"""The Checkov scan of pattern modules: every shipped pattern passes or waives each check with a reason,
sync_catalogue stores the scan of each version, and the pattern page shows it (or says it was not run).

The tests marked `integration` run the real Checkov from .venv-checkov (`make install`), ~10 s a module.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from catalogue.models import PatternVersion
from catalogue.scan import ERROR, NOT_RUN, SCANNED, scan_directory, scan_module_files
from catalogue.services import sync_catalogue
from catalogue.tests.helpers import copy_patterns, parse_html
from conftest import client_for

SHIPPED = sorted(p.name for p in Path(settings.PATTERNS_DIR).iterdir() if (p / "terraform").is_dir())
WAIVER_RE = re.compile(r"#\s*checkov:skip=(CKV2?_[A-Z0-9]+_\d+):(.*)$", re.MULTILINE)
# A reason a security reviewer can judge is a sentence, not "n/a" or "dev".
SHORTEST_REASON = 40


def waivers_written_in(module: Path) -> set[tuple[str, str]]:
    """{(check id, reason)} of every inline waiver in the module's Terraform files."""
    return {
        (check_id, reason.strip())
        for path in module.glob("*.tf")
        for check_id, reason in WAIVER_RE.findall(path.read_text())
    }


@pytest.fixture(scope="module")
def shipped_scans():
    """{slug: ScanResult} of each shipped module as it is, one Checkov run each (as sync_catalogue scans)."""
    return {
        slug: scan_directory(Path(settings.PATTERNS_DIR) / slug / "terraform", checkov=settings.CHECKOV_BIN)
        for slug in SHIPPED
    }


@pytest.fixture(scope="module")
def failures_without_waivers(tmp_path_factory):
    """{slug: {(check id, resource)}} that fail once every waiver comment is removed (one run for all)."""
    root = tmp_path_factory.mktemp("unwaived")
    for slug in SHIPPED:
        for path in (Path(settings.PATTERNS_DIR) / slug / "terraform").glob("*.tf"):
            copy = root / slug / path.name
            copy.parent.mkdir(exist_ok=True)
            copy.write_text(WAIVER_RE.sub("", path.read_text()))
    result = scan_directory(root, checkov=settings.CHECKOV_BIN)
    assert result.status == SCANNED, result.reason
    failures = {slug: set() for slug in SHIPPED}
    for check in result.failed:
        failures[check.file.split("/")[0]].add((check.check_id, check.resource))
    return failures


@pytest.mark.integration
@pytest.mark.parametrize("slug", SHIPPED)
def test_every_shipped_pattern_passes_checkov_or_waives_each_check_with_a_reason(slug, shipped_scans):
    # given
    module = Path(settings.PATTERNS_DIR) / slug / "terraform"

    # when
    result = shipped_scans[slug]

    # then
    assert result.status == SCANNED, result.reason
    assert len(result.passed) >= 5, "a scan that checks nothing proves nothing"
    assert not result.failed, "Checkov checks failed; fix the module or waive with a reason:\n" + "\n".join(
        f"  {c.check_id} {c.resource} ({c.file}:{c.line}): {c.name}" for c in result.failed
    )
    for check in result.skipped:
        assert len(check.reason) >= SHORTEST_REASON, f"{check.check_id} on {check.resource}: give a reason"
    # A waiver outside its resource block is silently ignored by Checkov: every one written must be used.
    assert waivers_written_in(module) == {(c.check_id, c.reason) for c in result.skipped}


@pytest.mark.integration
@pytest.mark.parametrize("slug", SHIPPED)
def test_every_waiver_is_still_needed(slug, shipped_scans, failures_without_waivers):
    # A waiver outlives its gap when the module is fixed; its reason would then tell reviewers something false.
    waived = {(c.check_id, c.resource) for c in shipped_scans[slug].skipped}
    assert waived - failures_without_waivers[slug] == set(), "these checks pass without their waiver: remove it"
    assert failures_without_waivers[slug] - waived == set()


@pytest.mark.integration
def test_a_failed_check_and_a_waiver_are_reported_with_the_resource_and_the_reason():
    # given: one topic unencrypted, one waived, one encrypted
    files = {
        "main.tf": """
resource "aws_sns_topic" "plain" {
  name = "plain"
}

resource "aws_sns_topic" "waived" {
  #checkov:skip=CKV_AWS_26:Carries only the public build notices of the open-source site
  name = "waived"
}

resource "aws_sns_topic" "encrypted" {
  name              = "encrypted"
  kms_master_key_id = "alias/topics"
}
""",
        "README.md": "not Terraform",
    }

    # when
    result = scan_module_files(files, checkov=settings.CHECKOV_BIN)

    # then
    assert result.status == SCANNED, result.reason
    assert result.checkov_version == "3.3.30"

    def of_check(checks):
        return [(c.resource, c.file, c.reason) for c in checks if c.check_id == "CKV_AWS_26"]

    assert of_check(result.failed) == [("aws_sns_topic.plain", "main.tf", "")]
    assert of_check(result.skipped) == [
        ("aws_sns_topic.waived", "main.tf", "Carries only the public build notices of the open-source site")
    ]
    assert of_check(result.passed) == [("aws_sns_topic.encrypted", "main.tf", "")]
    assert not result.is_clean


def test_without_checkov_the_scan_is_not_run_and_says_how_to_install_it(tmp_path):
    result = scan_module_files({"main.tf": ""}, checkov=tmp_path / "checkov")
    assert result.status == NOT_RUN
    assert str(tmp_path / "checkov") in result.reason and "make install" in result.reason
    assert not result.passed and not result.is_clean


@pytest.mark.parametrize(
    ("program", "says"),
    [("/bin/false", "Checkov exited with status 1"), ("/bin/true", "Checkov printed no JSON report")],
)
def test_a_checkov_that_fails_is_an_error_never_a_pass(tmp_path, program, says):
    result = scan_directory(tmp_path, checkov=program)
    assert result.status == ERROR
    assert result.reason.startswith(says)
    assert not result.is_clean


# -- sync_catalogue stores the scan; the pattern page shows it -----------------------------------------
@pytest.fixture
def scanning(settings):
    settings.CATALOGUE_SECURITY_SCAN = True
    return settings


@pytest.mark.integration
def test_the_pattern_page_shows_the_scan_of_its_version_with_each_waiver_and_its_reason(alice, tmp_path, scanning):
    # given
    root = copy_patterns(tmp_path, "web-app")
    report = sync_catalogue(root)

    # when
    page = parse_html(client_for(alice).get("/catalogue/web-app/").content)

    # then
    assert report.scans["web-app 1.0.0"].startswith("Checkov 3.3.30: ")
    section = page.find("section", id="security-scan")
    # (the page reader puts a space at each tag: "passed ," is "passed," on screen)
    summary = r"Checkov 3\.3\.30 on version 1\.0\.0: (\d+) checks passed ?, (\d+) waived with a reason, 0 failed ?\."
    passed, waived = map(int, re.search(summary, section.text).groups())
    rows = [
        [td.text for td in row.find_all("td")] for row in section.find("table", id="scan-waived").find_all("tr")[1:]
    ]
    assert passed >= 50 and waived == len(rows)
    shown = {(check.split(" ")[0], reason) for check, _resource, reason in rows}
    written = waivers_written_in(root / "web-app" / "terraform")
    assert written and shown == written, "each waiver written in the Terraform is on the page with its reason"
    assert section.find("table", id="scan-failed") is None
    # and the API gives the same scan to a platform's own tooling
    api = client_for(alice).get("/api/v1/patterns/web-app/").json()["current_version"]["security_scan"]
    assert (api["status"], api["passed"], api["failed"]) == ("scanned", passed, [])
    assert {(w["check"], w["reason"]) for w in api["waived"]} == written


def test_without_checkov_at_sync_the_page_says_the_version_was_not_scanned(alice, tmp_path, scanning):
    # given: a production install without the development dependencies
    scanning.CHECKOV_BIN = str(tmp_path / "no-checkov" / "checkov")
    sync_catalogue(copy_patterns(tmp_path, "message-queue"))

    # when
    section = parse_html(client_for(alice).get("/catalogue/message-queue/").content).find("section", id="security-scan")

    # then
    assert "Version 1.0.0 was not scanned, so nothing is known to pass: Checkov is not installed here" in section.text
    assert "passed," not in section.text and section.find("table") is None
    scan = client_for(alice).get("/api/v1/patterns/message-queue/").json()["current_version"]["security_scan"]
    assert scan["status"] == "not_run" and "Checkov is not installed here" in scan["summary"]


@pytest.mark.integration
def test_a_scan_is_kept_while_the_files_are_unchanged_and_dropped_when_they_change(tmp_path, scanning, db):
    # given: message-queue scanned once
    root = copy_patterns(tmp_path, "message-queue")
    sync_catalogue(root)
    version = PatternVersion.objects.get(pattern__slug="message-queue")
    assert version.scan.status == SCANNED and version.scan.passed

    # when: synced again without Checkov, files unchanged
    scanning.CHECKOV_BIN = str(tmp_path / "no-checkov")
    again = sync_catalogue(root)

    # then: the scan of the same files stands (and Checkov was not asked)
    version.refresh_from_db()
    assert version.scan.status == SCANNED and again.scans == {}

    # when: the module changes and Checkov is still missing
    main = root / "message-queue" / "terraform" / "main.tf"
    main.write_text(main.read_text() + "\n# a comment changes the checksum\n")
    changed = sync_catalogue(root)

    # then: the old scan no longer describes the files
    version.refresh_from_db()
    assert changed.updated == ["message-queue 1.0.0"]
    assert version.scan.status == NOT_RUN and "Checkov is not installed" in version.scan.reason


def test_the_sync_command_says_which_versions_it_could_not_scan(tmp_path, scanning, db):
    # given
    scanning.CHECKOV_BIN = str(tmp_path / "no-checkov")
    out = StringIO()

    # when
    call_command("sync_catalogue", "--path", str(copy_patterns(tmp_path, "message-queue")), stdout=out)

    # then
    assert (
        f"scan      message-queue 1.0.0: not run: Checkov is not installed here ({tmp_path / 'no-checkov'})"
        in out.getvalue()
    )
