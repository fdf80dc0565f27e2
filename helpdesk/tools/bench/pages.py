"""`bench pages`: the desk, portal and incident pages and inbound mail, timed in-process
through Django's test client on the shapes that make them heavy."""

import time
from email.message import EmailMessage
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from cases.models import Case, Handoff, Incident, Status, TimelineEntry
from helpdesk.accounts.models import Department, Organization, User
from helpdesk.api import tokens
from helpdesk.api.models import ApiToken
from helpdesk.knowledge import services
from helpdesk.knowledge.models import Article, Category
from notifications import addresses, inbound

from . import measure
from .http import bench_http

GOAL_MS = 100


def page_shapes(people: dict) -> dict:
    """The shapes the pages are measured on, created once: an agent owning 200 open
    cases, a case with 2,000 timeline entries, 500 open handoffs for Hardware, an
    incident with 1,000 linked cases, a portal customer with 300 cases. A bench of fewer
    cases makes smaller shapes; `sizes` says how large they came out."""
    hardware, _ = Department.objects.get_or_create(name="Hardware")
    bench_cases = Case.objects.filter(organization=people["org"])
    open_cases = bench_cases.filter(status=Status.OPEN)
    owner = User.objects.filter(email="bench-owner@bench.test").first()
    if owner is None:
        owner = User.objects.create_user(
            "bench-owner@bench.test", None, full_name="Bench Owner", role=User.Role.AGENT
        )
        owner.departments.add(people["support"], hardware)
        mine = list(open_cases.order_by("pk").values_list("pk", flat=True)[:200])
        Case.objects.filter(pk__in=mine).update(owner=owner)
    long_case = Case.objects.filter(title="Bench case with a long timeline").first()
    if long_case is None:
        long_case = open_cases.order_by("-pk").first()
        Case.objects.filter(pk=long_case.pk).update(title="Bench case with a long timeline")
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO cases_timelineentry (case_id, kind, actor_id, department_id, "
                "visibility, body, body_html, data, created) SELECT %s, "
                "CASE WHEN g %% 3 = 0 THEN 'internal_note' ELSE 'agent_reply' END, %s, %s, "
                "CASE WHEN g %% 3 = 0 THEN 'internal' ELSE 'public' END, "
                "'Entry ' || g, '<p>Entry ' || g || '</p>', '{}'::jsonb, "
                "now() - (2000 - g) * interval '1 minute' FROM generate_series(1, 2000) g",
                [long_case.pk, people["agent"].pk, people["support"].pk],
            )
    sized = {n: sized_case(people, open_cases, owner, n) for n in SIZED_CASES}
    # The writes go to a case of their own: the sized ones keep their size run after run.
    written = sized_case(people, open_cases, owner, 3, title=WRITTEN)
    if not Handoff.objects.filter(department=hardware).exists():
        Handoff.objects.bulk_create(
            Handoff(
                case=case,
                requested_by=people["agent"],
                department=hardware,
                needed="Replace the power supply",
                customer_summary="replacing the power supply",
                assignee=owner if i % 3 == 0 else None,
            )
            for i, case in enumerate(open_cases.order_by("pk")[200:700])
        )
    incident = Incident.objects.filter(title="Bench incident").first()
    if incident is None:
        incident = Incident.objects.create(title="Bench incident", created_by=people["agent"])
        linked = list(bench_cases.order_by("pk").values_list("pk", flat=True)[1000:2000])
        Case.objects.filter(pk__in=linked).update(incident=incident)
    portal_org, _ = Organization.objects.get_or_create(name="Bench Portal")
    portal_customer = User.objects.filter(email="bench-portal@bench.test").first()
    if portal_customer is None:
        portal_customer = User.objects.create_user(
            "bench-portal@bench.test",
            None,
            full_name="Portal Customer",
            organization=portal_org,
        )
    if not Case.objects.filter(customer=portal_customer).exists():
        first = min(3000, max(bench_cases.count() - 300, 0))  # the last 300 of a small bench
        moved = list(bench_cases.order_by("pk").values_list("pk", flat=True)[first : first + 300])
        Case.objects.filter(pk__in=moved).update(organization=portal_org, customer=portal_customer)
    portal_case = Case.objects.filter(organization=portal_org).order_by("pk").first()
    return {
        "owner": owner,
        "long_case": long_case,
        "sized": sized,
        "written": written,
        "incident": incident,
        "portal_customer": portal_customer,
        "portal_case": portal_case,
        "sizes": {
            "owned": Case.objects.filter(owner=owner).exclude(status=Status.CLOSED).count(),
            "handoffs": Handoff.objects.filter(department=hardware).count(),
            "linked": Case.objects.filter(incident=incident).count(),
            "portal": Case.objects.filter(customer=portal_customer).count(),
        },
    }


# Case pages with this many entries, and their goals (p95, in-process); a reply or a note.
SIZED_CASES = {3: 10, 50: 20, 500: 50}
LIST_GOAL_MS = 15
API_GOAL_MS = 50
HELP_SEARCH_GOAL_MS = 50
ARTICLES = 10_000
WRITE_GOAL_MS = 20
WRITTEN = "Bench case the writes go to"
QUOTED = "the dock shows error E-4471 after the firmware update"


def sized_case(people: dict, open_cases, owner: User, entries: int, *, title: str = "") -> Case:
    """An open case of `owner`'s whose timeline holds `entries` entries, mixed as the
    product writes them (replies, notes, customer messages, status and ownership), one of
    them quoting an error message the timeline search looks for."""
    title = title or f"Bench case with {entries} entries"
    case = Case.objects.filter(title=title).first()
    if case is not None:
        return case
    # One of the owner's cases per size (the owner replies; their count stays as it was).
    case = (
        open_cases.filter(owner=owner)
        .exclude(title__startswith="Bench case with")
        .exclude(title=WRITTEN)
        .order_by("pk")
        .first()
    )
    Case.objects.filter(pk=case.pk).update(title=title)
    # The timeline is append-only: the case's seeded history counts towards the size.
    had = TimelineEntry.objects.filter(case=case).count()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_timelineentry (case_id, kind, actor_id, department_id, "
            "visibility, body, body_html, data, created) SELECT %(case)s, "
            "(ARRAY['customer_message', 'agent_reply', 'internal_note', 'status_change', "
            "'ownership_change'])[1 + g %% 5], "
            "CASE WHEN g %% 5 = 0 THEN %(customer)s ELSE %(owner)s END, "
            "CASE WHEN g %% 5 = 0 THEN NULL ELSE %(dept)s END, "
            "CASE WHEN g %% 5 = 2 THEN 'internal' ELSE 'public' END, "
            "CASE WHEN g = 1 THEN %(quoted)s ELSE 'Entry ' || g END, "
            "CASE WHEN g = 1 THEN '<p>' || %(quoted)s || '</p>' "
            "     WHEN g %% 5 IN (3, 4) THEN '' ELSE '<p>Entry ' || g || '</p>' END, "
            'CASE g %% 5 WHEN 3 THEN \'{"from": "new", "to": "open"}\'::jsonb '
            "     WHEN 4 THEN jsonb_build_object('to', %(owner)s) ELSE '{}'::jsonb END, "
            "now() - (%(n)s - g) * interval '5 minutes' FROM generate_series(1, %(n)s) g",
            {
                "case": case.pk,
                "customer": case.customer_id,
                "owner": owner.pk,
                "dept": people["support"].pk,
                "quoted": f"Since Monday {QUOTED} {entries}.",
                "n": max(entries - had, 1),
            },
        )
    return case


def bench_pages(people: dict, *, runs: int, http: bool = True, out) -> dict:
    shapes = page_shapes(people)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    agent = Client()
    agent.force_login(shapes["owner"])
    customer = Client()
    customer.force_login(shapes["portal_customer"])
    long_ref = shapes["long_case"].reference
    incident_url = f"/desk/incidents/{shapes['incident'].pk}/"
    portal_case_url = f"/portal/cases/{shapes['portal_case'].reference}/"
    size = {name: f"{count:,}" for name, count in shapes["sizes"].items()}
    pages = [
        (f"desk dashboard ({size['owned']} owned)", agent, "/desk/", {}),
        ("triage queue", agent, "/desk/", {"HTTP_HX_REQUEST": "true"}),
        ("search", agent, "/desk/search/?q=Bench+case+12345", {}),
        ("case page (2,000 entries)", agent, f"/desk/cases/{long_ref}/", {}),
        ("timeline poll", agent, f"/desk/cases/{long_ref}/timeline/?after=0", {}),
        (f"department queue ({size['handoffs']})", agent, "/desk/queue/", {}),
        (f"incident page ({size['linked']} linked)", agent, incident_url, {}),
        (f"portal case list ({size['portal']})", customer, "/portal/", {}),
        ("portal case page", customer, portal_case_url, {}),
    ]
    goals = {"triage queue": LIST_GOAL_MS, pages[0][0]: LIST_GOAL_MS}
    for entries, goal in SIZED_CASES.items():
        name = f"case page ({entries} entries)"
        pages.append((name, agent, f"/desk/cases/{shapes['sized'][entries].reference}/", {}))
        goals[name] = goal
    phrase = urlencode({"q": f'"{QUOTED}"'})
    pages.append(("search the timeline", agent, f"/desk/search/?{phrase}", {}))
    # The API: the owner's cases, and a case of 50 entries, read with a personal token.
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {bench_token(shapes['owner'])}"}
    api = Client()
    pages.append(("API: case list (mine)", api, "/api/v1/cases/?owner=me", bearer))
    sized_50 = shapes["sized"][50].reference
    pages.append(("API: case read (50 entries)", api, f"/api/v1/cases/{sized_50}/", bearer))
    goals |= {"API: case list (mine)": API_GOAL_MS, "API: case read (50 entries)": API_GOAL_MS}
    # The help centre's search, as the portal customer, over the bench's articles.
    small = not Case.objects.filter(organization=people["org"])[100_000 - 1 : 100_000].exists()
    articles = bench_articles(shapes["owner"], total=500 if small else ARTICLES)
    name = f"help centre search ({articles:,} articles)"
    pages.append((name, customer, "/help/search/?q=charging+battery", {}))
    goals[name] = HELP_SEARCH_GOAL_MS
    results = {}
    with measure.plain_static():
        for name, client, url, headers in pages:
            results[name] = measure.time_call(
                lambda c=client, u=url, h=headers: c.get(u, **h), runs, name=url
            )
            out.write(measure.line(name, results[name], goal_ms=goals.get(name, GOAL_MS)))
        case = shapes["written"]
        for kind in ("reply", "note"):
            name = f"write a {kind}"
            results[name] = measure.time_call(
                lambda k=kind: agent.post(
                    f"/desk/cases/{case.reference}/entries/",
                    {"kind": k, "body": f"A {k} from the bench."},
                    HTTP_HX_REQUEST="true",
                ),
                runs,
                name=name,
            )
            out.write(measure.line(name, results[name], goal_ms=WRITE_GOAL_MS))
        results["inbound email"] = time_inbound(people, runs)
        out.write(measure.line("inbound email", results["inbound email"], goal_ms=GOAL_MS))
    if not http:
        return {"pages": results}
    # The same reads and writes over HTTP (the writes add to the 3-entry case's timeline).
    sessions = {"agent": agent, "customer": customer}
    requests = [
        (name, "customer" if client is customer else "agent", url, http_headers(headers), None)
        for name, client, url, headers in pages
    ]
    entries_url = f"/desk/cases/{case.reference}/entries/"
    requests += [
        (
            f"write a {kind}",
            "agent",
            entries_url,
            {"HX-Request": "true"},
            {"kind": kind, "body": f"A {kind}."},
        )
        for kind in ("reply", "note")
    ]
    cookies = {who: c.cookies[settings.SESSION_COOKIE_NAME].value for who, c in sessions.items()}
    over_http = bench_http(requests, cookies, runs=runs, out=out)
    return {"pages": results, "http": over_http}


def bench_articles(writer: User, total: int = ARTICLES) -> int:
    """Published articles in two categories, one in five internal, one in ten mentioning
    charging: created once."""
    category, _ = Category.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    have = Article.objects.filter(category=category).count()
    topics = ["charging the battery", "printer toner", "VPN drops", "password reset", "dock"]
    Article.objects.bulk_create(
        Article(
            category=category, slug=f"bench-{i}", title=f"Bench article {i}: {topics[i % 5]}",
            body=f"How to fix {topics[i % 5]} on model {i}. " * 20,
            body_html=f"<p>How to fix {topics[i % 5]}.</p>", created_by=writer,
            published_at=timezone.now(),
            visibility=Article.Visibility.INTERNAL if i % 5 == 4 else Article.Visibility.PUBLIC,
        )
        for i in range(have, total)
    )  # fmt: skip
    services.index_for_search(Article.objects.filter(category=category, search_vector=None))
    return Article.objects.filter(category=category).count()


def http_headers(meta: dict) -> dict:
    """Django test client's `HTTP_HX_REQUEST` as the header a browser sends: `Hx-Request`."""
    return {key[5:].replace("_", "-").title(): value for key, value in meta.items()}


def bench_token(owner: User) -> str:
    """A read token of the owner's for this run (the last run's revoked)."""
    ApiToken.objects.filter(user=owner, name="Bench", revoked__isnull=True).update(
        revoked=timezone.now()
    )
    return tokens.issue_token(user=owner, name="Bench", scope="read", days=30)[1]


def time_inbound(people: dict, runs: int) -> dict:
    """A customer's reply by email, parsed and threaded into its case."""
    case = Case.objects.filter(organization=people["org"], status=Status.OPEN).first()

    def one():
        message = EmailMessage()
        message["From"] = people["customer"].email
        message["To"] = addresses.reply_address(case.pk)
        message["Subject"] = f"Re: [{case.reference}] {case.title}"
        message["Message-ID"] = f"<bench-{time.time_ns()}@bench.test>"
        message.set_content("It still fails.\n\nOn Monday, Support wrote:\n> Try again")
        stored = inbound.receive(message.as_bytes(), mailbox="bench")
        if stored.case_id != case.pk:
            raise CommandError(f"bench mail did not thread: {stored.reason}")
        return stored

    return measure.time_call(one, runs, name="inbound email")
