"""The people of the load test (``benchmarks/load.py``): providers doing their month end
and commissioners reviewing, accepting and building packs, with the state they share.

People pause to read each page before the next click (``THINK`` seconds, 2 to 8 by
default): a flow fired back to back is a stress test of nothing people do. A provider's
flow is sign in (once), *Your returns*, the task list, the staff and training upload (a
2,000-row training file: check, confirm, wait for the import), the training section and
its confirmation, the KPIs, *Check your answers* and submit; then they look at their
return's history and leave. A commissioner looks at the returns grid and reviews and
accepts a return a provider has just submitted (the demo's submitted one when none is
waiting), and every third round builds a provider's quarterly pack and waits for it."""

# isort: skip_file
from __future__ import annotations

import locust  # noqa: F401 - first: it patches the standard library for gevent

import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
from queue import Empty, SimpleQueue  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
from locust import HttpUser, between, task  # noqa: E402

PASSWORD = os.environ.get("PORTAL_DEMO_PASSWORD", "demo sign-in for care returns")
KPIS = {
    "planned_visits": "1000", "delivered_visits": "990", "missed_visits": "10",
    "on_time_visits": "950", "ecm_visits": "900", "commissioned_hours": "1520.5",
    "delivered_hours": "1498.25", "referrals_offered": "12", "referrals_accepted": "10",
    "packages_started_on_time": "9", "complaints": "1", "compliments": "4",
    "safeguarding_concerns": "0", "users_reviewed": "20", "outcomes_met": "17",
}  # fmt: skip

ACCOUNTS: SimpleQueue = SimpleQueue()  # (email, provider id, return id) for provider users
SUBMITTED: SimpleQueue = SimpleQueue()  # return ids submitted, for commissioners to accept
COUNCIL: dict = {}  # its id and a submitted return's id
TOLD = {"submitted": 0, "accepted": 0, "packs ready": 0}
SPREAD = {"seconds": 0.0}  # providers start their month end within this many seconds
THINK = {"low": 2.0, "high": 8.0}  # seconds a person reads a page before the next click
# At the end no new submission starts, and the run waits for those in flight: a client
# cut off mid-request would count as "not told" though the server finished its work.
STATE = {"stopping": False, "submitting": 0, "signed_in": 0}
# Set when everyone has signed in: the month end (and its figures) starts then.
MONTH_END = gevent.event.Event()
FILES: dict[str, str] = {}  # the ASC-WDS staff file and a 2,000-row training file


def think() -> None:
    gevent.sleep(random.uniform(THINK["low"], THINK["high"]))


def hidden(html: str, name: str) -> str | None:
    for pattern in (
        rf'name="{name}" type="hidden" value="([^"]*)"',
        rf'type="hidden" name="{name}" value="([^"]*)"',
        rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"',
    ):
        match = re.search(pattern, html)
        if match:
            return match.group(1)
    return None


def token(html: str, name: str = "csrf_token") -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]+)"', html).group(1)


class Portal(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def sign_in(self, email: str) -> None:
        page = self.client.get("/sign-in", name="sign in (form)").text
        with self.client.post(
            "/sign-in",
            data={"csrf_token": token(page), "email": email, "password": PASSWORD},
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in answered {answer.status_code}")
        STATE["signed_in"] += 1
        MONTH_END.wait()  # nobody starts the month's work until everyone has arrived
        # The server has long closed this person's idle keep-alive connection (the wait
        # is longer than gunicorn's keepalive): start the month end on a fresh one.
        self.client.close()

    def page(self, url: str, name: str) -> str:
        think()
        return self.client.get(url, name=name).text


class Provider(Portal):
    fixed_count = 200

    def on_start(self) -> None:
        try:
            self.email, self.provider_id, self.return_id = ACCOUNTS.get_nowait()
        except Empty:
            STATE["signed_in"] += 1  # nobody to be: arrived, as far as the count goes
            raise locust.exception.StopUser() from None
        self.submitted = False
        self.sign_in(self.email)
        # Month end is days, not one second: each provider starts on the month's work at
        # its own moment within the first ``--spread`` seconds.
        gevent.sleep(random.uniform(0, SPREAD["seconds"]))

    @property
    def ret(self) -> str:
        return f"/provider/{self.provider_id}/returns/{self.return_id}"

    @task
    def month_end(self) -> None:
        self.client.get(f"/provider/{self.provider_id}/returns", name="Your returns")
        self.page(self.ret, "task list")
        if self.submitted:
            self.page(self.ret + "/history", "history")
            raise locust.exception.StopUser()  # done for the month
        self.upload()
        self.save(self.ret + "/section/training", "training section", "confirm training",
                  {"confirmed": "yes"})  # fmt: skip
        self.save(self.ret + "/section/kpis", "KPI section", "save KPIs", KPIS)
        check = self.page(self.ret + "/check", "check your answers")
        think()
        if STATE["stopping"]:
            return
        STATE["submitting"] += 1
        try:
            self.submit(check, hidden(check, "submission_key"))
        finally:
            STATE["submitting"] -= 1

    def save(self, url: str, page_name: str, post_name: str, answers: dict) -> None:
        page = self.page(url, page_name)
        data = {"csrf_token": token(page), "revision": hidden(page, "revision") or "0"}
        think()
        self.client.post(url, data={**data, **answers}, name=post_name)

    def submit(self, check: str, key: str | None) -> None:
        with self.client.post(
            self.ret + "/submit",
            data={"csrf_token": token(check), "submission_key": key or ""},
            name="submit",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code == 302 and "confirmation" in answer.headers.get("Location", ""):
                self.submitted = True
                TOLD["submitted"] += 1
                SUBMITTED.put(self.return_id)
            else:
                answer.failure(f"submit answered {answer.status_code}")

    def upload(self) -> None:
        """Upload the staff and 2,000-row training files, check, confirm, wait for the
        import (a worker runs it) as the progress page does."""
        base = f"/provider/{self.provider_id}/uploads/staff-and-training"
        page = self.page(base, "upload page")
        files = {
            "staff_file": ("staff.csv", FILES["staff"]),
            "training_file": ("training.csv", FILES["training"]),
        }
        think()
        with self.client.post(
            base, data={"csrf_token": token(page)}, files=files, name="upload files",
            allow_redirects=False, catch_response=True,
        ) as answer:  # fmt: skip
            location = answer.headers.get("Location", "")
            if answer.status_code != 302 or "batch=" not in location:
                answer.failure(f"upload answered {answer.status_code}")
                return
        batch = location.split("batch=")[1].split("&")[0]
        check = self.client.get(f"{base}/check?batch={batch}", name="upload check").text
        think()
        self.client.post(
            f"{base}/confirm", data={"batch": batch, "csrf_token": token(check)},
            name="confirm import", allow_redirects=False,
        )  # fmt: skip
        for _ in range(120):
            status = self.client.get(
                f"{base}/progress?batch={batch}", name="import progress", allow_redirects=False
            )
            if status.status_code == 302:
                self.client.get(status.headers["Location"], name="import done")
                return
            gevent.sleep(2)  # the progress page refreshes itself every 2 seconds


class Commissioner(Portal):
    fixed_count = 10

    def on_start(self) -> None:
        self.rounds = 0
        self.sign_in("commissioner@medway.example")

    @property
    def council(self) -> str:
        return f"/council/{COUNCIL['id']}"

    @task
    def review(self) -> None:
        self.page(f"{self.council}/returns", "returns grid")
        try:
            return_id, fresh = SUBMITTED.get_nowait(), True
        except Empty:
            return_id, fresh = COUNCIL["submitted"], False
        url = f"{self.council}/returns/{return_id}/review"
        page = self.page(url, "review page")
        if fresh:
            think()
            self.accept(url, page)
        self.rounds += 1
        if self.rounds % 3 == 0:
            self.build_pack()

    def accept(self, url: str, page: str) -> None:
        data = {"action": "accept", "accept-csrf_token": token(page, "accept-csrf_token"),
                "accept-text": "Thank you."}  # fmt: skip
        with self.client.post(
            url, data=data, name="accept", allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code == 302:
                TOLD["accepted"] += 1
            else:
                answer.failure(f"accept answered {answer.status_code}")

    def build_pack(self) -> None:
        """Build a provider's pack for the quarter (a worker's job) and watch it until it
        is ready, refreshing the page as someone without JavaScript would."""
        page = self.page(f"{self.council}/packs", "packs")
        provider = random.choice(re.findall(r'name="provider" value="(\d+)"', page))
        quarter = hidden(page, "quarter")
        data = {"csrf_token": token(page), "provider": provider, "quarter": quarter}
        think()
        with self.client.post(
            f"{self.council}/packs/build", data=data, name="build pack", catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"build pack answered {answer.status_code}")
                return
        for _ in range(60):
            pack = f"{self.council}/packs/pack?provider={provider}&quarter={quarter}"
            if "The pack is ready." in self.client.get(pack, name="pack page").text:
                TOLD["packs ready"] += 1
                return
            gevent.sleep(2)
