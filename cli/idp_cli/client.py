"""The portal's REST API over httpx, and the three ways a call ends badly."""

from __future__ import annotations

import httpx

from idp_cli.config import Settings

TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class Unreachable(Exception):
    """The server did not answer (exit code 3)."""


class Refused(Exception):
    """The server said no: `error` is its error body {code, message, fields, violations} (exit code 1)."""

    def __init__(self, status: int, error: dict):
        self.status, self.error = status, error
        super().__init__(error.get("message", f"HTTP {status}"))


class Client:
    def __init__(self, settings: Settings):
        self.http = httpx.Client(
            base_url=f"{settings.url}/api/v1/",
            headers={"Authorization": f"Bearer {settings.token}", "User-Agent": "idp-platform-cli/1.0"},
            timeout=TIMEOUT,
        )

    def get(self, path: str, **params):
        return self._send("GET", path, params={k: v for k, v in params.items() if v is not None})

    def post(self, path: str, body: dict | None = None):
        return self._send("POST", path, json=body or {})

    def patch(self, path: str, body: dict):
        return self._send("PATCH", path, json=body)

    def _send(self, method: str, path: str, **kwargs):
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise Unreachable(f"{self.http.base_url} did not answer: {exc}") from None
        if response.status_code >= 500:
            raise Unreachable(f"{self.http.base_url} failed with HTTP {response.status_code}; try again later.")
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
            except (ValueError, KeyError, TypeError):
                error = {"message": f"HTTP {response.status_code}: {response.text[:200]}"}
            raise Refused(response.status_code, error)
        return response.json()

    def all(self, path: str, **params) -> list[dict]:
        """Every page of a list."""
        items, offset = [], 0
        while True:
            page = self.get(path, limit=200, offset=offset, **params)
            items += page["results"]
            offset += len(page["results"])
            if not page.get("next") or not page["results"]:
                return items
