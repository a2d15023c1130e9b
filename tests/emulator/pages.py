# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The subscriber's view: server-rendered HTML pages that look like a public status page.

``GET /`` lists the status pages, ``GET /status/<status_page_id>`` shows one. Everything is read from
the store's live state under its lock; every piece of text is escaped.
"""

from __future__ import annotations

import datetime
import html

from store import Maintenance

HISTORY_DAYS = 14
HISTORY_PER_DAY = 10

# Worst wins, in this order: an incident's impact says more about a component than planned work does.
SEVERITY = ("operational", "under_maintenance", "degraded_performance", "partial_outage", "full_outage")
STATUS_WORDS = {
    "operational": "Operational",
    "under_maintenance": "Under maintenance",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "full_outage": "Full outage",
}
BANNERS = {
    "operational": "All systems operational",
    "under_maintenance": "Maintenance in progress",
    "degraded_performance": "Some systems are experiencing degraded performance",
    "partial_outage": "Some systems are experiencing a partial outage",
    "full_outage": "Some systems are experiencing a full outage",
}
INCIDENT_WORDS = {"investigating": "Investigating", "identified": "Identified", "monitoring": "Monitoring",
                  "resolved": "Resolved"}
MAINTENANCE_WORDS = {"maintenance_scheduled": "Scheduled", "maintenance_in_progress": "In progress",
                     "maintenance_complete": "Completed"}

STYLE = """
:root { --operational: #15803d; --under_maintenance: #1d4ed8; --degraded_performance: #a16207;
        --partial_outage: #c2410c; --full_outage: #b91c1c; --muted: #64748b; --line: #e2e8f0; }
* { box-sizing: border-box; }
body { margin: 0; background: #f8fafc; color: #0f172a;
       font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 860px; margin: 0 auto; padding: 32px 20px 48px; }
header.page { margin-bottom: 24px; }
header.page h1 { margin: 0; font-size: 28px; }
header.page p { margin: 4px 0 0; color: var(--muted); }
a { color: #1d4ed8; text-decoration: none; }
a:hover { text-decoration: underline; }
h2 { font-size: 18px; margin: 32px 0 12px; }
h3 { font-size: 16px; margin: 0; }
.banner { border-radius: 10px; padding: 18px 22px; color: #fff; font-size: 19px; font-weight: 600; }
.banner.operational { background: #16a34a; }
.banner.under_maintenance { background: #2563eb; }
.banner.degraded_performance { background: #ca8a04; }
.banner.partial_outage { background: #ea580c; }
.banner.full_outage { background: #dc2626; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
.card + .card { margin-top: 12px; }
ul.components { list-style: none; margin: 0; padding: 0; }
ul.components li { border-top: 1px solid var(--line); }
ul.components > li:first-child { border-top: none; }
.row { display: flex; justify-content: space-between; align-items: baseline; gap: 16px; padding: 12px 18px; }
.row .name { font-weight: 500; }
.row .description { display: block; color: var(--muted); font-size: 13px; font-weight: 400; }
.group > .row { background: #f1f5f9; }
.group > .row .name { font-weight: 600; }
.group ul.components .row { padding-left: 38px; }
.status { white-space: nowrap; font-weight: 600; font-size: 14px; }
.status::before { content: ""; display: inline-block; width: 9px; height: 9px; border-radius: 50%;
                  margin-right: 7px; background: currentColor; vertical-align: 1px; }
.status.operational { color: var(--operational); }
.status.under_maintenance { color: var(--under_maintenance); }
.status.degraded_performance { color: var(--degraded_performance); }
.status.partial_outage { color: var(--partial_outage); }
.status.full_outage { color: var(--full_outage); }
.sub-page h2 { margin-top: 24px; font-size: 16px; color: #334155; }
.event { padding: 16px 18px; border-left: 5px solid var(--muted); }
.event.incident { border-left-color: var(--partial_outage); }
.event.maintenance { border-left-color: var(--under_maintenance); }
.event .meta { color: var(--muted); font-size: 13px; margin-top: 2px; }
.event ol.updates { list-style: none; margin: 12px 0 0; padding: 0; }
.event ol.updates li { padding: 8px 0; border-top: 1px solid var(--line); }
.event ol.updates .label { font-weight: 600; margin-right: 6px; }
.event ol.updates .message { white-space: pre-line; }
.event ol.updates time { display: block; color: var(--muted); font-size: 13px; }
.day { padding: 12px 18px; border-top: 1px solid var(--line); }
.day:first-child { border-top: none; }
.day h3 { font-size: 14px; color: #334155; }
.day .quiet { color: var(--muted); font-size: 14px; margin: 4px 0 0; }
.day ul { list-style: none; margin: 6px 0 0; padding: 0; }
.day li { padding: 4px 0; font-size: 14px; }
.day li .kind { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; margin-right: 6px; }
.day li .message { display: block; color: #334155; white-space: pre-line; }
.day li time, .day li .meta { color: var(--muted); font-size: 13px; }
.day li.quiet { color: var(--muted); }
.pages .row .name { font-size: 17px; }
footer { margin-top: 32px; color: var(--muted); font-size: 13px; text-align: center; }
"""


def esc(value):
    return html.escape("" if value is None else str(value), quote=True)


def when(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%d %b %Y, %H:%M UTC")


def between(start, end):
    """A time range in UTC, with the date once when both ends fall on the same day."""
    start, end = start.astimezone(datetime.timezone.utc), end.astimezone(datetime.timezone.utc)
    if start.date() == end.date():
        return f"{start.strftime('%d %b %Y, %H:%M')} to {end.strftime('%H:%M')} UTC"
    return f"{when(start)} to {when(end)}"


def worst(statuses):
    return max(statuses, key=SEVERITY.index, default="operational")


# ----- state ---------------------------------------------------------------------------------------


def current_statuses(store, page):
    """Each component's status now: open incident impacts and in-progress maintenances, worst wins."""
    statuses = {}

    def raise_to(component_id, status):
        statuses[component_id] = worst([statuses.get(component_id, "operational"), status])

    for incident in store.incidents.values():
        if incident.page_id == page.id and incident.status != "resolved":
            for impact in incident.impacts:
                if impact["end_at"] is None:
                    raise_to(impact["component_id"], impact["component_status"])
    for maintenance in store.maintenances.values():
        if maintenance.page_id == page.id and maintenance.status == "maintenance_in_progress":
            for component_id, status in maintenance.statuses.items():
                raise_to(component_id, status)
    return statuses


def visible_items(page):
    """The page's structure without hidden components and hidden groups (sub-pages keep their order)."""
    def keep(item):
        if "component" in item:
            return None if item["component"]["hidden"] else item
        if "group" in item:
            group = item["group"]
            shown = [entry for entry in group["components"] if not entry["hidden"]]
            return None if group["hidden"] or not shown else {"group": dict(group, components=shown)}
        items = [kept for kept in (keep(entry) for entry in item["sub_page"]["items"]) if kept]
        return {"sub_page": dict(item["sub_page"], items=items)} if items else None
    return [kept for kept in (keep(item) for item in page.items) if kept]


def visible_component_ids(items):
    found = []
    for item in items:
        if "component" in item:
            found.append(item["component"]["component_id"])
        elif "group" in item:
            found.extend(entry["component_id"] for entry in item["group"]["components"])
        else:
            found.extend(visible_component_ids(item["sub_page"]["items"]))
    return found


def page_summary(store, page):
    """Overall status of a page: the worst status of its visible components."""
    statuses = current_statuses(store, page)
    return worst(statuses.get(cid, "operational") for cid in visible_component_ids(visible_items(page)))


def refresh(store):
    # Automated maintenances move lazily when read, as the API's own reads do.
    now = store.now()
    for maintenance in store.maintenances.values():
        maintenance.automate_until(now)
    return now


# ----- HTML ----------------------------------------------------------------------------------------


def document(title, body):
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def status_span(status):
    return f'<span class="status {status}" data-status="{status}">{STATUS_WORDS[status]}</span>'


def component_row(store, component_id, statuses):
    component = store.components[component_id]
    status = statuses.get(component_id, "operational")
    description = component.get("description")
    described = f'<span class="description">{esc(description)}</span>' if description else ""
    return (f'<li class="component" data-component-id="{esc(component_id)}" data-status="{status}">'
            f'<div class="row"><span class="name">{esc(component["name"])}{described}</span>{status_span(status)}</div></li>')


def structure_html(store, items, statuses):
    rows = []
    for item in items:
        if "component" in item:
            rows.append(component_row(store, item["component"]["component_id"], statuses))
        elif "group" in item:
            group = item["group"]
            members = [entry["component_id"] for entry in group["components"]]
            status = worst(statuses.get(cid, "operational") for cid in members)
            described = f'<span class="description">{esc(group["description"])}</span>' if group.get("description") else ""
            rows.append(
                f'<li class="group" data-group-id="{esc(group["id"])}" data-status="{status}">'
                f'<div class="row"><span class="name">{esc(group["name"])}{described}</span>{status_span(status)}</div>'
                f'<ul class="components">{"".join(component_row(store, cid, statuses) for cid in members)}</ul></li>')
    return f'<div class="card"><ul class="components">{"".join(rows)}</ul></div>' if rows else ""


def components_html(store, page, statuses):
    items = visible_items(page)
    parts = [structure_html(store, [item for item in items if "sub_page" not in item], statuses)]
    for item in items:
        if "sub_page" in item:
            sub_page = item["sub_page"]
            parts.append(f'<section class="sub-page" data-sub-page-id="{esc(sub_page["id"])}">'
                         f'<h2>{esc(sub_page["name"])}</h2>{structure_html(store, sub_page["items"], statuses)}</section>')
    return "".join(parts)


def affected_names(store, item, shown):
    names = [store.components[cid]["name"] for cid in item.affected() if cid in shown]
    return ", ".join(sorted(names))


def updates_html(item, words, status_key):
    rows = []
    for update in reversed(item.updates):
        rows.append(f'<li><span class="label">{esc(words.get(update[status_key], update[status_key]))}</span>'
                    f'<span class="message">{esc(update["message"])}</span>'
                    f'<time datetime="{update["published_at"].isoformat()}">{when(update["published_at"])}</time></li>')
    return f'<ol class="updates">{"".join(rows)}</ol>'


def event_html(store, item, shown):
    is_maintenance = isinstance(item, Maintenance)
    kind = "maintenance" if is_maintenance else "incident"
    if is_maintenance:
        words, status_key = MAINTENANCE_WORDS, "maintenance_status"
        meta = between(item.start_at, item.end_at)
    else:
        words, status_key = INCIDENT_WORDS, "incident_status"
        meta = f"Since {when(item.published_at)}"
    affected = affected_names(store, item, shown)
    if affected:
        meta += f" · Affects {affected}"
    return (f'<article class="card event {kind}" data-{kind}-id="{esc(item.id)}" data-status="{esc(item.status)}">'
            f'<h3>{esc(item.name)} <span class="meta">— {esc(words.get(item.status, item.status))}</span></h3>'
            f'<div class="meta">{esc(meta)}</div>{updates_html(item, words, status_key)}</article>')


def history_html(store, page, now, shown):
    since = now - datetime.timedelta(days=HISTORY_DAYS)
    finished = [(incident.resolved_at, "Incident", incident) for incident in store.incidents.values()
                if incident.page_id == page.id and incident.status == "resolved" and incident.resolved_at]
    finished += [(maintenance.completed_at, "Maintenance", maintenance) for maintenance in store.maintenances.values()
                 if maintenance.page_id == page.id and maintenance.status == "maintenance_complete" and maintenance.completed_at]
    days = {}
    for moment, kind, item in finished:
        if since <= moment <= now:
            days.setdefault(moment.astimezone(datetime.timezone.utc).date(), []).append((moment, kind, item))
    blocks = []
    today = now.astimezone(datetime.timezone.utc).date()
    for offset in range(HISTORY_DAYS):
        day = today - datetime.timedelta(days=offset)
        entries = sorted(days.get(day, []), key=lambda entry: (entry[0], entry[2].id), reverse=True)
        heading = f'<h3>{day.strftime("%d %b %Y")}</h3>'
        if not entries:
            blocks.append(f'<div class="day">{heading}<p class="quiet">No incidents or maintenance.</p></div>')
            continue
        rows = []
        for moment, kind, item in entries[:HISTORY_PER_DAY]:
            # A window completed before its scheduled start ran from nothing: show it ending where it started.
            started = min(item.start_at, moment) if kind == "Maintenance" else item.published_at
            affected = affected_names(store, item, shown)
            last = item.updates[-1]["message"] if item.updates else ""
            rows.append(f'<li class="past {kind.lower()}" data-id="{esc(item.id)}"><span class="kind">{kind}</span>'
                        f'<strong>{esc(item.name)}</strong> '
                        f'<time>{esc(between(started, moment))}</time>'
                        + (f' <span class="meta">· Affects {esc(affected)}</span>' if affected else "")
                        + f'<span class="message">{esc(last)}</span></li>')
        if len(entries) > HISTORY_PER_DAY:
            rows.append(f'<li class="quiet">and {len(entries) - HISTORY_PER_DAY} more</li>')
        blocks.append(f'<div class="day">{heading}<ul>{"".join(rows)}</ul></div>')
    return f'<div class="card history">{"".join(blocks)}</div>'


def render_status_page(store, page_id):
    """HTML of one status page, or None when there is no such page."""
    with store.lock:
        page = store.pages.get(page_id)
        if page is None:
            return None
        now = refresh(store)
        statuses = current_statuses(store, page)
        shown = set(visible_component_ids(visible_items(page)))
        overall = worst(statuses.get(cid, "operational") for cid in shown)
        incidents = sorted((incident for incident in store.incidents.values()
                            if incident.page_id == page.id and incident.status != "resolved"),
                           key=lambda item: (item.published_at, item.id), reverse=True)
        maintenances = [maintenance for maintenance in store.maintenances.values()
                        if maintenance.page_id == page.id and maintenance.status != "maintenance_complete"]
        # In-progress windows first, then scheduled ones by start time.
        maintenances.sort(key=lambda item: (item.status != "maintenance_in_progress", item.start_at, item.id))
        parts = [f'<header class="page"><p><a href="/">All status pages</a></p><h1>{esc(page.name)}</h1>'
                 + (f'<p>{esc(page.description)}</p>' if page.description else "") + '</header>',
                 f'<div class="banner {overall}" data-status="{overall}">{BANNERS[overall]}</div>']
        if incidents:
            parts.append('<section class="incidents"><h2>Ongoing incidents</h2>'
                         + "".join(event_html(store, item, shown) for item in incidents) + "</section>")
        if maintenances:
            parts.append('<section class="maintenances"><h2>Maintenance</h2>'
                         + "".join(event_html(store, item, shown) for item in maintenances) + "</section>")
        parts.append(f'<section class="components"><h2>Components</h2>{components_html(store, page, statuses)}</section>')
        parts.append(f'<section class="history"><h2>Past {HISTORY_DAYS} days</h2>{history_html(store, page, now, shown)}</section>')
        parts.append(f'<footer>Times in UTC · updated {esc(when(now))}'
                     + (f' · <a href="{esc(page.public_url)}">{esc(page.public_url)}</a>' if page.public_url else "")
                     + "</footer>")
        return document(page.name, "\n".join(parts))


def render_index(store):
    with store.lock:
        refresh(store)
        rows = []
        for page in store.pages.values():
            status = page_summary(store, page)
            described = f'<span class="description">{esc(page.description)}</span>' if page.description else ""
            rows.append(f'<li class="component" data-page-id="{esc(page.id)}" data-status="{status}"><div class="row">'
                        f'<span class="name"><a href="/status/{esc(page.id)}">{esc(page.name)}</a>{described}</span>'
                        f'{status_span(status)}</div></li>')
        body = ('<header class="page"><h1>Status pages</h1><p>Every status page of this emulator.</p></header>'
                f'<div class="card pages"><ul class="components">{"".join(rows)}</ul></div>')
        return document("Status pages", body)


def render_not_found(page_id):
    return document("Not found", '<header class="page"><p><a href="/">All status pages</a></p><h1>Not found</h1>'
                                 f'<p>There is no status page {esc(page_id)}.</p></header>')
