"""A real Git remote for tests: a bare repository on disk and a clone to commit and push from (git CLI,
argument lists only)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ALICE = "Alice Example <alice@example.com>"


class Remote:
    def __init__(self, root: Path):
        self.bare, self.work = root / "remote.git", root / "work"
        self.env = {**os.environ, "HOME": str(root), "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
        self.git("init", "--quiet", "--bare", "--initial-branch", "main", str(self.bare))
        self.git("init", "--quiet", "--initial-branch", "main", str(self.work))
        self.git("-C", str(self.work), "remote", "add", "origin", str(self.bare))

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], env=self.env, check=True, capture_output=True, text=True).stdout.strip()

    def write(self, path: str, text: str) -> None:
        target = self.work / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    def remove(self, path: str) -> None:
        (self.work / path).unlink()

    def commit(self, message: str, author: str = ALICE) -> str:
        """Commit everything as `author` and push it to the bare remote; the new commit's SHA."""
        name, _, email = author.partition(" <")
        work = ["-C", str(self.work), "-c", f"user.name={name}", "-c", f"user.email={email.rstrip('>')}"]
        self.git(*work, "add", "--all")
        self.git(*work, "commit", "--quiet", "--allow-empty", "--message", message, "--author", author)
        self.git(*work, "push", "--quiet", "origin", "HEAD:main")
        return self.git("-C", str(self.work), "rev-parse", "HEAD")
