"""Locust user of the replay harness (ci/replay.py generate).

The five endpoints of ci/fixtures/server.py, once per iteration, in the same order as
ci/replay/k6-script.js (GET /api/users/list is the look-alike control of GET /api/users). Request
names are paths without the query string, so an endpoint is e.g. "GET /api/users". Run with
--host http://127.0.0.1:<port> (the local server only).

PERFGATE_ACTIVE_SECONDS: users stop sending requests this many seconds after the test starts and
stay idle until --run-time ends. Locust writes the --csv files only from its 1-second writer loop,
so an idle tail of >= 2 s makes the final _stats.csv complete and equal to the --json-file output.
"""

import os
import time

import gevent
from locust import HttpUser, constant, events, task

_ACTIVE = float(os.environ.get("PERFGATE_ACTIVE_SECONDS", "0") or 0)
_started = {"t": None}


@events.test_start.add_listener
def _on_test_start(environment, **kwargs):
    _started["t"] = time.monotonic()


class ApiUser(HttpUser):
    wait_time = constant(0.1)

    @task
    def journey(self):
        if _ACTIVE > 0 and _started["t"] is not None and time.monotonic() - _started["t"] >= _ACTIVE:
            gevent.sleep(0.5)  # idle tail: no more requests
            return
        self.client.get("/api/users", name="/api/users")
        self.client.get("/api/products", name="/api/products")
        self.client.post("/api/orders", json={"product": 1, "qty": 2}, name="/api/orders")
        self.client.get("/api/search?q=widget", name="/api/search")
        self.client.get("/api/users/list", name="/api/users/list")
