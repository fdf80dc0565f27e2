"""The support-floor load for `manage.py bench load` (run by locust, headless; locust
comes with the tools extras and is never imported by the helpdesk itself).

Agents poll their dashboard and a case's timeline every ~10 s and act now and then (an
internal note); customers browse their cases, read one and sometimes reply. Users sign in
with the passwords `bench load` gives the bench accounts.
"""

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-load")
AGENTS = int(os.environ.get("BENCH_AGENTS", "100"))
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "200"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r"/(?:desk|portal)/cases/(C-\d+)/")


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(8, 12)
    email_pattern = ""
    population = 1

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text).group(1)
        number = random.randrange(self.population)
        self.client.post(
            "/accounts/login/",
            {"username": self.email_pattern.format(number), "password": PASSWORD,
             "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="sign in",
        )  # fmt: skip
        self.cases: list[str] = []

    def _token(self) -> str:
        return self.client.cookies.get("csrftoken", "")


class Agent(SignedIn):
    weight = 1
    email_pattern = "bench-agent-{}@bench.test"
    population = AGENTS

    @task(6)
    def dashboard(self):
        page = self.client.get("/desk/", name="/desk/")
        self.cases = CASE_LINK.findall(page.text)[:20] or self.cases

    @task(6)
    def poll_timeline(self):
        if self.cases:
            reference = random.choice(self.cases)
            self.client.get(
                f"/desk/cases/{reference}/timeline/?after=0",
                headers={"HX-Request": "true"},
                name="/desk/cases/[ref]/timeline/",
            )

    @task(2)
    def case_page(self):
        if self.cases:
            reference = random.choice(self.cases)
            self.client.get(f"/desk/cases/{reference}/", name="/desk/cases/[ref]/")

    @task(1)
    def note(self):
        if self.cases:
            reference = random.choice(self.cases)
            self.client.post(
                f"/desk/cases/{reference}/entries/",
                {"kind": "note", "body": "Checked the logs again."},
                headers={"HX-Request": "true", "X-CSRFToken": self._token()},
                name="/desk/cases/[ref]/entries/",
            )


class Customer(SignedIn):
    weight = 2
    email_pattern = "bench-customer-{}@bench.test"
    population = CUSTOMERS

    @task(5)
    def my_cases(self):
        page = self.client.get("/portal/", name="/portal/")
        self.cases = CASE_LINK.findall(page.text)[:20] or self.cases

    @task(4)
    def case_page(self):
        if self.cases:
            reference = random.choice(self.cases)
            self.client.get(f"/portal/cases/{reference}/", name="/portal/cases/[ref]/")

    @task(1)
    def reply(self):
        if self.cases:
            reference = random.choice(self.cases)
            self.client.post(
                f"/portal/cases/{reference}/reply/",
                {"body": "Any news?"},
                headers={"HX-Request": "true", "X-CSRFToken": self._token()},
                name="/portal/cases/[ref]/reply/",
            )
