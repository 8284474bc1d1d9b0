"""Where the CLI finds the portal: PLATFORM_URL and PLATFORM_TOKEN first (CI), then the config file
that `platform login` writes, readable by its owner only."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import click

APP_NAME = "idp-platform"


def config_file() -> Path:
    return Path(click.get_app_dir(APP_NAME)) / "config.json"


@dataclass
class Settings:
    url: str
    token: str


class NotConfigured(Exception):
    pass


def load() -> Settings:
    stored = {}
    path = config_file()
    if path.exists():
        stored = json.loads(path.read_text())
    url = os.environ.get("PLATFORM_URL") or stored.get("url")
    token = os.environ.get("PLATFORM_TOKEN") or stored.get("token")
    if not url or not token:
        raise NotConfigured("Not logged in: run `platform login`, or set PLATFORM_URL and PLATFORM_TOKEN.")
    return Settings(url=url.rstrip("/"), token=token)


def save(url: str, token: str) -> Path:
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Created owner-only before the token is written: it is never readable by others, not even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"url": url.rstrip("/"), "token": token}, handle)
    os.chmod(path, 0o600)
    return path
