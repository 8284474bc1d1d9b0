"""Start the real components outside Django's web process: moto server and Celery workers.

Used by the test fixtures and the benchmarks, so both exercise the same
processes `make run` starts.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"gave up waiting for {what} after {timeout} s")


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - local endpoint
            return response.status < 500
    except OSError:
        return False


# moto keeps a requested ACM certificate pending for 60 s; the sandbox cloud issues it at once,
# as if its DNS validation record had been found.
SANDBOX_MOTO_ENV = {**os.environ, "MOTO_ACM_VALIDATION_WAIT": "0"}


class MotoServer:
    """moto server, the sandbox cloud's AWS API, on a free local port."""

    def __init__(self, log_path: Path):
        self.log_path = log_path
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> MotoServer:
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
            env=SANDBOX_MOTO_ENV,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: http_ok(f"{self.endpoint}/moto-api/"), 30, "moto server")
        return self

    def restart(self, down_seconds: float = 0) -> None:
        """Stop and start again on the same port: moto keeps nothing, as a cloud region that lost everything."""
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")  # noqa: S310
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.log.close()


class RedisServer:
    """A private redis-server on a free port, without persistence: a restart loses every queued message."""

    def __init__(self, log_path: Path):
        self.log_path = log_path
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=open(self.log_path, "ab"),  # noqa: SIM115 - the process owns it
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: _accepts(self.port), 10, "redis-server")
        return self

    def kill(self) -> None:
        """SIGKILL, as a crashed or restarted broker host."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    stop = kill


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class WorkerProcess:
    """A Celery worker in its own process group, as in production; can be SIGKILLed to test crashes."""

    def __init__(self, env: dict, log_path: Path, *, queue: str, concurrency: int = 2):
        self.env, self.log_path, self.queue, self.concurrency = env, log_path, queue, concurrency
        self.process: subprocess.Popen | None = None
        self.log = None
        self.node = ""

    def start(self) -> WorkerProcess:
        self.node = f"worker-{uuid.uuid4().hex[:8]}"  # Run.worker starts with it: which worker ran what
        name = f"{self.node}@%h"
        argv = [str(BIN / "python"), "-m", "idp_portal", "worker", "-l", "info", "-n", name,
                "-Q", self.queue, "-c", str(self.concurrency),
                "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
        self.log_path.write_bytes(b"")
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            argv, env={**self.env, "CELERY_QUEUE": self.queue}, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        wait_for(lambda: b" ready." in self.log_path.read_bytes(), 90, "the Celery worker to be ready")
        return self

    def kill(self) -> None:
        """SIGKILL the worker's main process and pool children, as a crashed machine would."""
        os.killpg(self.process.pid, 9)
        self.process.wait(10)
        self.log.close()

    def kill_tree(self) -> list[int]:
        """SIGKILL the worker and every process under it, terraform and its providers included (they run in
        sessions of their own, out of reach of `kill`), as a container stop, the OOM killer or a lost host would.
        Returns the pids killed besides the worker's own group."""
        others = [pid for pid in descendants(self.process.pid) if _group_of(pid) != self.process.pid]
        os.killpg(self.process.pid, 9)
        for pid in others:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
        self.process.wait(10)
        self.log.close()
        return others

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(10)
        if self.log and not self.log.closed:
            self.log.close()


def descendants(root: int) -> list[int]:
    """Every process below `root` (children, their children...), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The command name may hold spaces and parentheses: the parent pid follows the last ")".
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def worker_environment(database: dict, **overrides: str) -> dict[str, str]:
    """Environment for a worker process pointed at `database` (a Django DATABASES entry)."""
    env = dict(os.environ)
    user = database.get("USER") or "postgres"
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{database['NAME']}"
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    env.update(overrides)
    return env


class WebhookReceiver:
    """A local HTTP endpoint that records the JSON posted to it: the stand-in for Slack in tests."""

    def __init__(self, status: int = 200):
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.calls: list[dict] = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    receiver.calls.append(json.loads(body))
                except ValueError:
                    receiver.calls.append({"raw": body.decode(errors="replace")})
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T000/B000/XXXX"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def texts(self) -> list[str]:
        return [call.get("text", "") for call in self.calls]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
