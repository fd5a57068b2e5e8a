"""Locust scenario for bench/bench_load.py (loopback only): directors editing their annual
reports in the browser, caseworkers working the queue, and cluster integrations posting bulk
activity batches to the API. The plan (accounts, report ids, keys, pages) comes from the JSON
file named by LOCUST_PLAN; what the server accepted is written to LOCUST_RESULTS at the end, so
bench_load.py can check the database holds exactly that."""

import itertools
import json
import os
import re
import threading
import uuid

from locust import HttpUser, between, events, task

with open(os.environ["LOCUST_PLAN"], encoding="utf-8") as _fh:
    PLAN = json.load(_fh)
RESULTS = {"reports": {}, "activities": [], "server_errors": [], "refused": 0}
_lock = threading.Lock()
_directors = itertools.cycle(PLAN["directors"])
_integrations = itertools.cycle(PLAN["integrations"])
_caseworkers = itertools.cycle(PLAN["caseworkers"])
RUN = PLAN["run"]

INPUT = re.compile(r"<input\b[^>]*>", re.I)
TEXTAREA = re.compile(r"<textarea\b[^>]*\bname=\"([^\"]+)\"[^>]*>(.*?)</textarea>", re.I | re.S)
SELECT = re.compile(r"<select\b[^>]*\bname=\"([^\"]+)\"[^>]*>(.*?)</select>", re.I | re.S)
ATTR = re.compile(r"(\w[\w-]*)=\"([^\"]*)\"")


def form_fields(html: str) -> dict:
    """The fields a browser would post from the first form with a `version` field."""
    start = html.find('name="version"')
    form_start = html.rfind("<form", 0, start)
    form_end = html.find("</form>", start)
    form = html[form_start:form_end]
    data = {}
    for tag in INPUT.findall(form):
        attrs = dict(ATTR.findall(tag))
        if "name" not in attrs or attrs.get("type") in ("submit", "button", "file"):
            continue
        if attrs.get("type") == "checkbox" and "checked" not in tag:
            continue
        data[attrs["name"]] = attrs.get("value", "")
    for name, body in TEXTAREA.findall(form):
        data[name] = body.strip()
    for name, body in SELECT.findall(form):
        chosen = re.search(r"<option[^>]*value=\"([^\"]*)\"[^>]*selected", body)
        data[name] = chosen.group(1) if chosen else ""
    return data


@events.request.add_listener
def _count_server_errors(request_type, name, response, exception, **kwargs):
    if response is not None and getattr(response, "status_code", 0) >= 500:
        with _lock:
            RESULTS["server_errors"].append(f"{request_type} {name} {response.status_code}")


@events.quitting.add_listener
def _write_results(environment, **kwargs):
    with open(os.environ["LOCUST_RESULTS"], "w", encoding="utf-8") as fh:
        json.dump(RESULTS, fh)


class BrowserUser(HttpUser):
    abstract = True

    def login(self, username):
        self.client.get("/login/", name="/login/")
        token = self.client.cookies.get("csrftoken")
        response = self.client.post(
            "/login/", {"username": username, "password": PLAN["password"],
                        "csrfmiddlewaretoken": token}, name="/login/ POST", allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login of {username} failed: {response.status_code}")


class Director(BrowserUser):
    """Opens the report, changes the narrative and a figure, saves (version in the form)."""

    weight = 3
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.me = next(_directors)
        self.login(self.me["username"])
        self.report = self.me["report"]
        self.n = 0

    @task
    def edit_report(self):
        url = f"/rapporter/{self.report}/"
        page = self.client.get(url, name="/rapporter/[id]/")
        if page.status_code != 200:
            return
        data = form_fields(page.text)
        self.n += 1
        marker = f"{RUN} {self.me['username']} edit {self.n} {uuid.uuid4().hex[:6]}"
        data["value_created"] = marker
        data["csrfmiddlewaretoken"] = self.client.cookies.get("csrftoken")
        with self.client.post(url, data, name="/rapporter/[id]/ POST", allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code == 302:
                with _lock:
                    RESULTS["reports"][str(self.report)] = marker
                response.success()
            elif response.status_code in (400, 409):
                with _lock:
                    RESULTS["refused"] += 1
                response.failure(f"refused {response.status_code}")
            else:
                response.failure(f"status {response.status_code}")


class Caseworker(BrowserUser):
    """Works the queue: the list, then a case or report from it."""

    weight = 2
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.me = next(_caseworkers)
        self.login(self.me["username"])

    @task(2)
    def queue(self):
        self.client.get(PLAN["caseworker_queue"], name="queue")

    @task(3)
    def open_item(self):
        path = PLAN["caseworker_items"][self.me["i"] % len(PLAN["caseworker_items"])]
        self.me["i"] += 1
        self.client.get(path, name="queue item")


class Integration(HttpUser):
    """A cluster's CRM posting bulk batches of new activities."""

    weight = 2
    wait_time = between(0.5, 1.0)

    def on_start(self):
        self.me = next(_integrations)
        self.headers = {"Authorization": f"Bearer {self.me['key']}"}
        self.batch = 0
        self.name = uuid.uuid4().hex[:6]

    @task
    def post_batch(self):
        self.batch += 1
        ids = [f"{RUN}-{self.name}-{self.batch}-{i}" for i in range(PLAN["batch_size"])]
        items = [
            {"external_id": ext, "title": f"Belastningstest {ext}", "activity_type": "matchmaking",
             "start_date": "2025-03-01", "end_date": "2025-03-01", "international": False,
             "eu_funded": False, "companies": [], "institutions": []}
            for ext in ids
        ]
        with self.client.post("/api/v1/activities/bulk/", json={"activities": items},
                              headers=self.headers, name="/api/v1/activities/bulk/",
                              catch_response=True) as response:
            if response.status_code == 200:
                with _lock:
                    RESULTS["activities"].extend([self.me["cluster"], ext] for ext in ids)
                response.success()
            else:
                response.failure(f"status {response.status_code}")
