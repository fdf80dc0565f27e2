"""Manager reports: a summary and seven reports, each with filters in the URL, a chart
where a picture says it faster, a table, and the table as CSV (`?format=csv`)."""

import csv
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cases import charts, reports
from helpdesk.accounts.access import manager_required
from helpdesk.accounts.models import AuditEvent, Department, User

PAGE_SIZE = 50


def _hours(delta: timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 3600, 1)


def _base(request: HttpRequest, name: str) -> dict:
    filters = reports.Filters.from_query(request.GET)
    return {
        "filters": filters,
        "report": name,
        "departments": Department.objects.order_by("name"),
        "owners": User.objects.filter(role__in=["agent", "manager"], is_active=True).order_by(
            "full_name"
        ),
        # The filters, for the links to other reports, the CSV and the pages of this one.
        "query": _without(request.GET, "page", "format").urlencode(),
    }


def _without(query, *names: str):
    kept = query.copy()
    for name in names:
        kept.pop(name, None)
    return kept


def _csv(name: str, columns: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response


# A spreadsheet runs a cell that starts with one of these as a formula; titles and names
# are typed by customers (CSV injection). A leading apostrophe makes the cell plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@manager_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    context = _base(request, "summary")
    filters = context["filters"]
    key = f"reports:summary:{filters.start:%Y%m%d}:{filters.end:%Y%m%d}:" + (
        f"{getattr(filters.department, 'pk', '')}:{getattr(filters.owner, 'pk', '')}"
    )
    context["headline"] = cache.get(key)
    if context["headline"] is None:
        context["headline"] = _headline(filters)
        if settings.REPORT_SUMMARY_CACHE_SECONDS:
            cache.set(key, context["headline"], settings.REPORT_SUMMARY_CACHE_SECONDS)
    return render(request, "reports/index.html", context)


def _headline(filters: reports.Filters) -> dict:
    """Every report's headline figure, for the summary."""
    unowned = reports.unowned(filters)
    wait = reports.time_to_owner(filters, overall_only=True)["overall"]
    sla = reports.sla(filters, headline=True)
    promised = reports.promises(filters, headline=True)["overall"]
    quality = reports.quality(filters, headline=True)
    voice = reports.voice(filters, headline=True)
    chased = reports.chases(filters, headline=True)
    return {
        "unowned": unowned["new"].count(),
        "lapsed": unowned["lapsed"].count(),
        "median_wait": _hours(wait["median"]),
        "bounced": reports.bounces(filters).count(),
        "breaches": sla["breaches"],
        "surprise_rate": sla["surprise_rate"],
        "at_risk": sla["at_risk"].count(),
        "kept_share": promised["kept_share"],
        "promises": promised["settled"],
        "confirmed": quality["confirmed"],
        "auto_closed": quality["auto_closed"],
        "reopen_rate": quality["reopen_rate"],
        "satisfaction": quality["satisfaction"]["average"],
        "per_case": voice["per_case"],
        "outside": voice["outside"],
        "chases": chased["chases"],
        "chased_rate": chased["chased_before_told_rate"],
    }


@manager_required
@require_GET
def unowned(request: HttpRequest) -> HttpResponse:
    context = _base(request, "unowned")
    found = reports.unowned(context["filters"])
    if request.GET.get("format") == "csv":
        rows = [
            (c.reference, c.title, c.customer.full_name, c.organization.name, c.created,
             c.came_in or c.channel or "")
            for c in found["new"]
        ]  # fmt: skip
        return _csv("unowned", ["case", "title", "customer", "organisation", "created",
                                "came in through"], rows)  # fmt: skip
    context.update(new=_page(request, found["new"]), lapsed=found["lapsed"][:PAGE_SIZE])
    return render(request, "reports/unowned.html", context)


@manager_required
@require_GET
def time_to_owner(request: HttpRequest) -> HttpResponse:
    context = _base(request, "time_to_owner")
    found = reports.time_to_owner(context["filters"])
    weeks = [
        {**row, "median_h": _hours(row["median"]), "p90_h": _hours(row["p90"]),
         "worst_h": _hours(row["worst"])}
        for row in found["by_week"]
    ]  # fmt: skip
    # Not `departments`: that name is the filter form's list of departments.
    by_department = [
        {**row, "median_h": _hours(row["median"]), "p90_h": _hours(row["p90"]),
         "worst_h": _hours(row["worst"])}
        for row in found["by_department"]
    ]  # fmt: skip
    if request.GET.get("format") == "csv":
        rows = [("week", w["week"].date(), w["n"], w["median_h"], w["p90_h"], w["worst_h"])
                for w in weeks]  # fmt: skip
        rows += [("department", d["first_department_name"], d["n"], d["median_h"], d["p90_h"],
                  d["worst_h"]) for d in by_department]  # fmt: skip
        return _csv("time-to-owner", ["by", "group", "cases", "median hours", "p90 hours",
                                      "worst hours"], rows)  # fmt: skip
    context.update(
        overall={k: _hours(v) if k != "n" else v for k, v in found["overall"].items()},
        waiting={"n": found["waiting"]["n"], "longest_h": _hours(found["waiting"]["longest"])},
        weeks=weeks,
        by_department=by_department,
        chart=charts.bar_chart(
            [(f"{w['week']:%d %b}", w["median_h"] or 0.0) for w in weeks],
            title="Median hours to an owner, by week",
            unit=" h",
        ),
    )
    return render(request, "reports/time_to_owner.html", context)


@manager_required
@require_GET
def bounces(request: HttpRequest) -> HttpResponse:
    context = _base(request, "bounces")
    found = reports.bounces(context["filters"])
    if request.GET.get("format") == "csv":
        shown = reports.bounce_details(list(found[:10000]))
        rows = [(c.reference, c.title, c.transfers, c.declines, c.owner_again, c.asked_again,
                 c.path or "") for c in shown]  # fmt: skip
        return _csv("bounces", ["case", "title", "ownership changes", "declined handoffs",
                                "owner again", "department asked again", "path"], rows)  # fmt: skip
    page = _page(request, found)
    page.object_list = reports.bounce_details(list(page.object_list))
    context["cases"] = page
    return render(request, "reports/bounces.html", context)


@manager_required
@require_GET
def sla(request: HttpRequest) -> HttpResponse:
    context = _base(request, "sla")
    found = reports.sla(context["filters"])
    if request.GET.get("format") == "csv":
        rows = [(r["target_label"], r["case__owning_department__name"] or "", r["total"],
                 r["surprises"]) for r in found["by_target"]]  # fmt: skip
        return _csv("sla-breaches", ["target", "department", "breaches", "without notice"],
                    rows)  # fmt: skip
    context.update(
        found=found,
        chased=reports.chases(context["filters"]),
        at_risk=found["at_risk"][:PAGE_SIZE],
        chart=charts.bar_chart(
            [(_breach_label(r), r["total"]) for r in found["by_target"]],
            title="Breaches by target and department",
        ),
    )
    return render(request, "reports/sla.html", context)


@manager_required
@require_GET
def promises(request: HttpRequest) -> HttpResponse:
    context = _base(request, "promises")
    found = reports.promises(context["filters"])
    if request.GET.get("format") == "csv":
        rows = [(r["made_by__full_name"], r["department__name"] or "", r["total"], r["settled"],
                 r["kept"], r["kept_share"]) for r in found["rows"]]  # fmt: skip
        return _csv("promises", ["owner", "department", "promises", "settled", "kept",
                                 "kept %"], rows)  # fmt: skip
    context.update(
        found=found,
        chart=charts.bar_chart(
            [(r["made_by__full_name"], r["kept_share"] or 0.0) for r in found["rows"]],
            title="Share of promises kept, by owner",
            unit=" %",
        ),
    )
    return render(request, "reports/promises.html", context)


@manager_required
@require_GET
def quality(request: HttpRequest) -> HttpResponse:
    context = _base(request, "quality")
    found = reports.quality(context["filters"])
    if request.GET.get("format") == "csv":
        rows = [(r["case__owning_department__name"] or "", r["case__owner__full_name"] or "",
                 round(r["average"], 2), r["n"]) for r in found["by_owner"]]  # fmt: skip
        return _csv("satisfaction", ["department", "owner", "average rating", "ratings"], rows)
    context.update(
        found=found,
        chart=charts.bar_chart(found["distribution"], title="Ratings from 1 to 5"),
    )
    return render(request, "reports/quality.html", context)


@manager_required
@require_GET
def voice(request: HttpRequest) -> HttpResponse:
    context = _base(request, "voice")
    found = reports.voice(context["filters"])
    if request.GET.get("format") == "csv":
        rows = [(f"C-{r['case']:06d}", r["case__title"], r["n"], r["sent"])
                for r in found["busiest"]]  # fmt: skip
        return _csv("one-voice", ["case", "title", "updates emailed", "emails sent"], rows)
    context["found"] = found
    return render(request, "reports/voice.html", context)


def _breach_label(row: dict) -> str:
    return f"{row['target_label']} · {row['case__owning_department__name'] or '—'}"


@manager_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    """The audit trail: sign-ins, failures, role changes, downloads, denied accesses."""
    context = _base(request, "audit")
    filters = context["filters"]
    events = AuditEvent.objects.filter(
        created__gte=filters.start, created__lt=filters.end
    ).select_related("actor")
    kind = request.GET.get("kind", "")
    if kind in AuditEvent.Kind.values:
        events = events.filter(kind=kind)
    if request.GET.get("format") == "csv":
        latest = events.order_by("-created")[:10000]
        rows = [(e.created.isoformat(), e.get_kind_display(), e.actor.email if e.actor else "",
                 e.ip or "", e.path, e.data) for e in latest]  # fmt: skip
        return _csv("audit", ["time", "event", "actor", "ip", "path", "details"], rows)
    context.update(events=_page(request, events.order_by("-created", "-pk")), kind=kind,
                   kinds=AuditEvent.Kind.choices)  # fmt: skip
    return render(request, "reports/audit.html", context)
