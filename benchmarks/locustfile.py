"""Locust users for `make bench`: each carries a signed-in session (or none) and asks for one page (BENCH_PATH) as fast as it can."""

import os

from locust import HttpUser, constant, task

PATH = os.environ.get("BENCH_PATH", "/")
# A session made beforehand: signing in 16 users at once would measure the password hash, not the page.
SESSION = os.environ.get("BENCH_SESSION", "")


class PageUser(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        if SESSION:
            self.client.cookies.set("sessionid", SESSION)

    @task
    def page(self):
        # A redirect to the sign-in page would measure the wrong page: only a 200 counts.
        with self.client.get(PATH, name=PATH, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} instead of 200")
