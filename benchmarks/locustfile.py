"""Locust users for `make bench`: each carries a signed-in session (or none) and asks for one page (BENCH_PATH) as fast as it can.

FastHttpUser (geventhttpclient) rather than HttpUser (requests): the load generator shares the machine's two
cores with gunicorn, and requests costs several times more CPU per request, which would be measured as the
portal's slowness.
"""

import os

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

PATH = os.environ.get("BENCH_PATH", "/")
# A session made beforehand: signing in 16 users at once would measure the password hash, not the page.
SESSION = os.environ.get("BENCH_SESSION", "")
HEADERS = {"Cookie": f"sessionid={SESSION}"} if SESSION else {}


class PageUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def page(self):
        # A redirect to the sign-in page would measure the wrong page: only a 200 counts.
        with self.client.get(PATH, name=PATH, headers=HEADERS, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} instead of 200")
