"""The README's quick-start Locust test (ci/quickstart.sh runs the README's commands with it).

`name=` groups requests into one series per endpoint (query strings and ids out of the name).
Run with --host set to the system under test.
"""

from locust import HttpUser, between, task


class Shopper(HttpUser):
    wait_time = between(0.2, 0.4)

    @task
    def shop(self):
        for path in ("/api/users", "/api/products"):
            self.client.get(path, name=path)
        self.client.post("/api/orders", json={"product": 1, "qty": 2}, name="/api/orders")
        self.client.get("/api/search", params={"q": "widget"}, name="/api/search")
