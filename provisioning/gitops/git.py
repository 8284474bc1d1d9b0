"""A per-repository cache of a Git remote, fetched with dulwich (pure Python: no shell, no git binary).

The one error type, GitError, says what failed; a sync records it on the repository and the next
poll tries again.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from dulwich.client import get_transport_and_path
from dulwich.diff_tree import CHANGE_ADD, CHANGE_DELETE, CHANGE_MODIFY, CHANGE_RENAME, tree_changes
from dulwich.errors import GitProtocolError, HangupException, NotGitRepository
from dulwich.object_store import iter_tree_contents
from dulwich.repo import Repo

SUFFIXES = (".yaml", ".yml")


class GitError(Exception):
    """The repository could not be fetched or read (unreachable, no such branch, not a repository...)."""


@dataclass(frozen=True)
class FileChange:
    kind: str  # "added", "changed" or "removed"
    path: str
    blob: str  # the new blob; the old one for a removal


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str  # "Name <e-mail>"
    email: str

    @classmethod
    def of(cls, sha: str, author: str) -> Commit:
        return cls(sha, author, author.rpartition("<")[2].rstrip(">").strip() if "<" in author else "")


class Mirror:
    def __init__(self, cache_dir: Path, url: str):
        self.cache_dir, self.url = cache_dir, url

    def _repo(self) -> Repo:
        if (self.cache_dir / "objects").is_dir():
            return Repo(str(self.cache_dir))
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        return Repo.init_bare(str(self.cache_dir))

    def fetch(self, branch: str) -> str:
        """Bring the remote's objects into the cache; the commit at the head of `branch`."""
        try:
            client, path = get_transport_and_path(self.url)
            with self._repo() as repo:
                result = client.fetch(path, repo)
        except (OSError, GitProtocolError, HangupException, NotGitRepository, ValueError, KeyError) as exc:
            raise GitError(f"Could not fetch {self.url}: {exc.__class__.__name__}: {exc}".strip()) from None
        head = (result.refs or {}).get(f"refs/heads/{branch}".encode())
        if head is None:
            raise GitError(f"{self.url} has no branch {branch!r}.")
        return head.decode()

    def has(self, sha: str) -> bool:
        with self._repo() as repo:
            return bool(sha) and sha.encode() in repo.object_store

    def files(self, commit: str, folder: str) -> dict[str, str]:
        """{path: blob} of the request files (.yaml, .yml) under `folder` at `commit`."""
        with self._repo() as repo:
            tree = repo[commit.encode()].tree
            return {entry.path.decode(): entry.sha.decode() for entry in iter_tree_contents(repo.object_store, tree)
                    if _wanted(entry.path.decode(), folder)}  # fmt: skip

    def changes(self, old: str | None, new: str, folder: str) -> list[FileChange]:
        """What changed under `folder` between two commits (everything is added when `old` is None)."""
        found = []
        with self._repo() as repo:
            old_tree = repo[old.encode()].tree if old else None
            for change in tree_changes(repo.object_store, old_tree, repo[new.encode()].tree):
                if change.type in (CHANGE_ADD, CHANGE_MODIFY, CHANGE_RENAME) and _wanted(change.new.path.decode(),
                                                                                          folder):  # fmt: skip
                    kind = "changed" if change.type == CHANGE_MODIFY else "added"
                    found.append(FileChange(kind, change.new.path.decode(), change.new.sha.decode()))
                if change.type in (CHANGE_DELETE, CHANGE_RENAME) and _wanted(change.old.path.decode(), folder):
                    found.append(FileChange("removed", change.old.path.decode(), change.old.sha.decode()))
        return found

    def read(self, blob: str) -> str:
        with self._repo() as repo:
            return repo[blob.encode()].data.decode("utf-8", errors="replace")

    def last_commit(self, path: str, new: str, old: str | None) -> Commit:
        """The newest commit after `old` up to `new` that touched `path` (its author is the actor)."""
        with self._repo() as repo:
            walker = repo.get_walker(include=[new.encode()], exclude=[old.encode()] if old else None,
                                     paths=[path.encode()], max_entries=1)  # fmt: skip
            entry = next(iter(walker), None)
            commit = entry.commit if entry is not None else repo[new.encode()]
            return Commit.of(commit.id.decode(), commit.author.decode("utf-8", errors="replace"))


def _wanted(path: str, folder: str) -> bool:
    folder = folder.strip("/")
    inside = not folder or path.startswith(folder + "/")
    return inside and posixpath.basename(path).endswith(SUFFIXES) and not posixpath.basename(path).startswith(".")
