"""The services around the workers fail mid-run: each fault ends final or retryable, with a clear message and
nothing lost or built twice.

PostgreSQL: the worker's (and terraform's) connections terminated mid-apply. Redis: a private redis-server,
killed and started again empty while one change runs and others wait in its queue. The cloud: a private moto
server restarted mid-apply (it forgets everything). Throttling: a proxy in front of moto answering EC2 with
RequestLimitExceeded. The machine's shared PostgreSQL and Redis are never restarted.
"""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from django.db import connection

from conftest import request_change
from idp_portal.components import MotoServer, RedisServer, WorkerProcess, wait_for
from provisioning import actions
from provisioning.choices import ChangeStatus, RunKind, RunStatus
from provisioning.models import Environment, Run
from provisioning.tasks import reap_orphaned_runs_task
from provisioning.tests.conftest import live_instances, wait_for_run, wait_for_status

pytestmark = pytest.mark.integration

FINAL = {ChangeStatus.APPLIED, ChangeStatus.FAILED}


def clients_for(endpoint: str):
    def client(service: str, region: str = "eu-west-1"):
        return boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id="sandbox",
                            aws_secret_access_key="sandbox")  # fmt: skip

    return client


def one_of_everything(aws, environment) -> None:
    assert len(live_instances(aws, environment)) == 1
    vpcs = aws("ec2").describe_vpcs(Filters=[{"Name": "tag:idp:environment", "Values": [str(environment.pk)]}])
    assert len(vpcs["Vpcs"]) == 1


def retry_until_applied(change, alice):
    """What the team does with a change that failed for a reason a retry can cure."""
    change.refresh_from_db()
    if change.status == ChangeStatus.FAILED:
        actions.retry_change(actor=alice, change=change)
    return wait_for_status(change, ChangeStatus.APPLIED, timeout=300)


def test_database_connections_cut_mid_apply_end_in_a_clear_state_and_nothing_is_built_twice(
    sandbox, extra_worker, aws, catalogue, alice, payments
):
    # given an apply under way, its instance booting
    extra_worker(SANDBOX_INSTANCE_BOOT_SECONDS="6")
    change = request_change(alice, payments, catalogue["dev-environment"], name="cut", ttl_days=3)
    environment = Environment.objects.get(pk=change.environment_id)
    wait_for(lambda: live_instances(aws, environment), 180, "the instance to be created mid-apply")
    apply_run = change.runs.get(kind=RunKind.APPLY, status=RunStatus.RUNNING)

    # when every other connection to the database is terminated (the worker's, terraform's state backend's)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")  # fmt: skip
        assert cursor.fetchone()[0] >= 1

    # then the worker reconnects and says so in the run's log, and the change ends final (or retryable)
    change = wait_for_status(change, FINAL, timeout=300)
    apply_run.refresh_from_db()
    assert apply_run.is_finished
    assert "lost its database connection and reconnected" in apply_run.log, apply_run.log[-2000:]
    if change.status == ChangeStatus.FAILED:
        assert apply_run.error and "Traceback" not in apply_run.log
    # and a retry (if one is needed) converges with one of everything
    change = retry_until_applied(change, alice)
    one_of_everything(aws, Environment.objects.get(pk=change.environment_id))


@contextmanager
def broker(url: str):
    """Point this process's Celery producer at `url` (the portal's side of the queue)."""
    from idp_portal.celery import app

    def use(target: str) -> None:
        app.conf.broker_url = target
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    use(url)
    try:
        yield
    finally:
        use(previous)


def test_redis_restarted_with_changes_running_and_queued_loses_nothing(
    sandbox, worker_env, tmp_path, aws, catalogue, test_patterns, alice, payments, settings
):
    from idp_portal.celery import app

    redis = RedisServer(tmp_path / "redis.log").start()
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-redis"
    default_queue, app.conf.task_default_queue = app.conf.task_default_queue, queue
    worker = WorkerProcess({**worker_env, "REDIS_URL": redis.url, "CELERY_BROKER_URL": redis.url,
                            "SANDBOX_INSTANCE_BOOT_SECONDS": "6"}, tmp_path / "worker.log", queue=queue,
                           concurrency=1)  # fmt: skip
    try:
        with broker(redis.url):
            worker.start()
            # given one change applying and one waiting in the queue (one worker, one run at a time)
            running = request_change(alice, payments, catalogue["dev-environment"], name="running", ttl_days=3)
            wait_for_run(running, RunKind.APPLY, log_contains="Creating...", timeout=180)
            waiting = request_change(alice, payments, test_patterns["scratch-bucket"], name="waiting")

            # when Redis dies, loses every message, and a change is requested while it is down
            redis.kill()
            while_down = request_change(alice, payments, test_patterns["scratch-bucket"], name="while-down")
            redis.start()

            # then the request was accepted all the same, the running apply finishes, and the reaper sends the
            # lost runs again: every change applies, each run ran once
            assert while_down.status == ChangeStatus.CHECKING
            settings.RUN_REDELIVER_AFTER_SECONDS = 3

            def all_applied():
                reap_orphaned_runs_task()
                return all(
                    c.__class__.objects.get(pk=c.pk).status == ChangeStatus.APPLIED
                    for c in (running, waiting, while_down)
                )

            wait_for(all_applied, 300, "every change to apply after the broker came back", interval=1)
    finally:
        worker.stop()
        redis.kill()
        app.conf.task_default_queue = default_queue
    for change in (running, waiting, while_down):
        kinds = sorted(Run.objects.filter(change_request=change).values_list("kind", "status"))
        assert kinds == [(RunKind.APPLY, RunStatus.SUCCEEDED), (RunKind.PLAN, RunStatus.SUCCEEDED)], kinds
    resent = Run.objects.get(change_request=while_down, kind=RunKind.PLAN)
    assert "sent to the workers again" in resent.log
    one_of_everything(aws, Environment.objects.get(pk=running.environment_id))


def test_the_cloud_restarted_mid_apply_fails_the_change_clearly_and_the_retry_converges(
    sandbox, extra_worker, tmp_path, catalogue, alice, payments, settings
):
    cloud = MotoServer(tmp_path / "moto.log").start()
    settings.AWS_ENDPOINT_URL = cloud.endpoint
    aws = clients_for(cloud.endpoint)
    try:
        extra_worker(AWS_ENDPOINT_URL=cloud.endpoint, SANDBOX_INSTANCE_BOOT_SECONDS="6")
        change = request_change(alice, payments, catalogue["dev-environment"], name="amnesia", ttl_days=3)
        environment = Environment.objects.get(pk=change.environment_id)
        wait_for(lambda: live_instances(aws, environment), 180, "the instance to be created mid-apply")

        # when the cloud restarts mid-apply and forgets everything it held
        cloud.restart(down_seconds=1)

        # then the change fails saying what the cloud answered, keeps its log, and holds no lock
        change = wait_for_status(change, FINAL, timeout=300)
        assert change.status == ChangeStatus.FAILED, "terraform cannot finish an apply whose resources vanished"
        apply_run = change.runs.get(kind=RunKind.APPLY)
        assert apply_run.error and apply_run.log and "Traceback" not in apply_run.log
        assert any(
            words in change.failure_reason
            for words in ("NotFound", "could not connect", "answer was empty or unreadable")
        ), change.failure_reason
        assert Environment.objects.get(pk=environment.pk).active_run is None

        # and the retry plans from the stored state against the cloud as it is now, and converges
        change = retry_until_applied(change, alice)
        one_of_everything(aws, environment)
    finally:
        cloud.stop()


class ThrottlingProxy:
    """Forwards to moto; while `throttled` is above zero, answers that many EC2 calls with RequestLimitExceeded
    (what AWS returns when an account calls EC2 too fast); -1 throttles every EC2 call."""

    ERROR = (b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code>'
             b"<Message>Request limit exceeded.</Message></Error></Errors><RequestID>throttled</RequestID></Response>")  # fmt: skip

    def __init__(self, target: str):
        self.throttled, self.answered = 0, 0
        self.host, self.port = urllib.parse.urlsplit(target).hostname, urllib.parse.urlsplit(target).port
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                self.forward()

            do_POST = do_PUT = do_DELETE = do_HEAD = do_GET  # noqa: N815

            def forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if proxy.throttled and b"Action=" in body and b"Version=2016-11-15" in body:
                    proxy.throttled -= proxy.throttled > 0
                    proxy.answered += 1
                    return self.reply(503, {"Content-Type": "text/xml"}, ThrottlingProxy.ERROR)
                # http.client, not urllib: urllib adds a form Content-Type to bodies that have none (S3's XML).
                target = http.client.HTTPConnection(proxy.host, proxy.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "expect")}
                target.request(self.command, self.path, body=body or None, headers=headers)
                answer = target.getresponse()
                self.reply(answer.status, dict(answer.getheaders()), answer.read())
                target.close()

            def reply(self, status, headers, payload):
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


def test_a_throttled_cloud_is_retried_and_a_cloud_that_stays_throttled_fails_the_change_clearly(
    sandbox, extra_worker, aws, catalogue, alice, payments
):
    proxy = ThrottlingProxy(sandbox["endpoint"])
    try:
        extra_worker(AWS_ENDPOINT_URL=proxy.endpoint)
        # given a cloud that throttles a few EC2 calls: the provider backs off and the change applies
        proxy.throttled = 2
        brief = wait_for_status(request_change(alice, payments, catalogue["dev-environment"], name="brief",
                                               ttl_days=3), ChangeStatus.APPLIED, timeout=300)  # fmt: skip
        assert proxy.answered == 2
        one_of_everything(aws, Environment.objects.get(pk=brief.environment_id))

        # when the cloud throttles every EC2 call from the middle of an apply
        change = request_change(alice, payments, catalogue["dev-environment"], name="throttled", ttl_days=3)
        wait_for_run(change, RunKind.APPLY, log_contains="Creating...", timeout=180)
        proxy.throttled = -1

        # then the change fails naming the throttling, with its log, and holds no lock
        change = wait_for_status(change, FINAL, timeout=300)
        assert change.status == ChangeStatus.FAILED
        assert "RequestLimitExceeded" in change.failure_reason, change.failure_reason
        assert Environment.objects.get(pk=change.environment_id).active_run is None

        # and once the cloud answers again, the retry converges with one of everything
        proxy.throttled = 0
        change = retry_until_applied(change, alice)
        one_of_everything(aws, Environment.objects.get(pk=change.environment_id))
    finally:
        proxy.stop()
