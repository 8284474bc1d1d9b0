"""Scan a pattern's Terraform module with Checkov, the open-source scanner a security team would use.

Plain Python: no database, no Django. Checkov runs in its own virtualenv (`make install` builds
`.venv-checkov`: it pins boto3 and packaging to versions the portal cannot share), as a subprocess
with an argument list, offline: no Prisma Cloud download, no mapping, no update check.

A check a pattern deliberately does not meet carries Checkov's own inline waiver in the Terraform,
inside the resource block: `#checkov:skip=CKV_AWS_144:reason a reviewer accepts`. Checkov reports it
as skipped with that reason, which the pattern page shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

SCANNED, NOT_RUN, ERROR = "scanned", "not_run", "error"
SCAN_TIMEOUT_SECONDS = 300

# Checkov reaches out to Prisma Cloud and PyPI unless told not to; the scan must be the same offline.
OFFLINE_ENVIRONMENT = {
    "BC_SKIP_MAPPING": "TRUE",
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
    "BC_ENABLE_PERSIST_GRAPHS": "FALSE",
    "ANSI_COLORS_DISABLED": "TRUE",
    "LOG_LEVEL": "ERROR",
}


@dataclass(frozen=True)
class Check:
    check_id: str
    name: str
    resource: str
    file: str
    line: int
    reason: str = ""  # the waiver's reason, for a skipped check


@dataclass
class ScanResult:
    status: str
    reason: str = ""  # why the scan was not run, or what went wrong
    checkov_version: str = ""
    passed: list[Check] = field(default_factory=list)
    failed: list[Check] = field(default_factory=list)
    skipped: list[Check] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return self.status == SCANNED and not self.failed

    def summary(self) -> str:
        if self.status == NOT_RUN:
            return f"not run: {self.reason}"
        if self.status == ERROR:
            return f"failed: {self.reason}"
        return (
            f"Checkov {self.checkov_version}: {len(self.passed)} passed, "
            f"{len(self.skipped)} waived, {len(self.failed)} failed"
        )

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict | None) -> ScanResult:
        if not data:
            return cls(NOT_RUN, reason="this version was loaded without a scan")
        lists = {key: [Check(**c) for c in data.get(key, [])] for key in ("passed", "failed", "skipped")}
        return cls(data["status"], data.get("reason", ""), data.get("checkov_version", ""), **lists)


def scan_module_files(files: dict[str, str], *, checkov: str | Path) -> ScanResult:
    """Scan a module given as {relative path: text}, exactly as the catalogue stores a version."""
    if not _runnable(checkov):
        return _not_installed(checkov)
    with tempfile.TemporaryDirectory(prefix="idp-scan-") as folder:
        root = Path(folder)
        for relative, text in files.items():
            path = root / PurePosixPath(relative)
            if root.resolve() not in path.resolve().parents:
                return ScanResult(ERROR, reason=f"module file {relative!r} lies outside the module")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return scan_directory(root, checkov=checkov)


def scan_directory(directory: Path, *, checkov: str | Path) -> ScanResult:
    """Run Checkov's Terraform checks on one module directory."""
    if not _runnable(checkov):
        return _not_installed(checkov)
    with tempfile.TemporaryDirectory(prefix="idp-checkov-cache-") as cache:
        command = [
            str(checkov),
            "--directory",
            str(directory),
            "--framework",
            "terraform",
            "--output",
            "json",
            "--skip-download",
            "--soft-fail",  # failed checks are data here; any other exit status is Checkov failing
        ]
        # Nothing of the portal's environment (database URLs, secrets) reaches the scanner.
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": cache,
            "CKV_CACHE_DIR": cache,
            **OFFLINE_ENVIRONMENT,
        }
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=SCAN_TIMEOUT_SECONDS, env=environment, check=False
            )
        except subprocess.TimeoutExpired:
            return ScanResult(ERROR, reason=f"Checkov did not finish within {SCAN_TIMEOUT_SECONDS} s")
    if done.returncode != 0:
        return ScanResult(ERROR, reason=f"Checkov exited with status {done.returncode}: {_last_line(done.stderr)}")
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        return ScanResult(ERROR, reason=f"Checkov printed no JSON report: {_last_line(done.stderr or done.stdout)}")
    return parse_report(report)


def parse_report(report: dict | list) -> ScanResult:
    """Checkov's JSON report (one framework) as a ScanResult."""
    if isinstance(report, list):  # one report per framework; only terraform was asked for
        report = next((r for r in report if r.get("check_type") == "terraform"), {})
    if "results" not in report:  # Checkov's shape for a folder with no resources: the summary alone
        return ScanResult(SCANNED, checkov_version=report.get("checkov_version", ""))
    results = report["results"]
    if results.get("parsing_errors"):
        return ScanResult(ERROR, reason=f"Checkov could not parse {', '.join(results['parsing_errors'])}")
    return ScanResult(
        SCANNED,
        checkov_version=report.get("summary", {}).get("checkov_version", ""),
        passed=_checks(results.get("passed_checks", [])),
        failed=_checks(results.get("failed_checks", [])),
        skipped=_checks(results.get("skipped_checks", []), with_reason=True),
    )


def _checks(raw: list[dict], *, with_reason: bool = False) -> list[Check]:
    checks = {
        Check(
            check_id=item["check_id"],
            name=item.get("check_name", ""),
            resource=item.get("resource", ""),
            file=item.get("file_path", "").lstrip("/"),
            line=(item.get("file_line_range") or [0])[0],
            reason=(item.get("check_result", {}).get("suppress_comment") or "").strip() if with_reason else "",
        )
        for item in raw
    }
    return sorted(checks, key=lambda c: (c.file, c.line, c.check_id))


def _runnable(checkov: str | Path) -> bool:
    return bool(str(checkov)) and os.access(checkov, os.X_OK) and Path(checkov).is_file()


def _not_installed(checkov: str | Path) -> ScanResult:
    return ScanResult(
        NOT_RUN,
        reason=f"Checkov is not installed here ({checkov or 'CHECKOV_BIN is empty'}); "
        "`make install` installs it, then run `python manage.py sync_catalogue` again",
    )


def _last_line(text: str) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"
