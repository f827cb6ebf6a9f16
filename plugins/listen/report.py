"""`make report`: what the announced posts achieved, as a plain page and a CSV for a
library to show its council. Pure: rows and traffic (plugins/listen/access_log.py) in,
text out; reading the ledger and writing the files is the caller's.

The page needs no JavaScript and asks nothing of any other website: the charts are
SVG drawn here, each with a table of the same numbers beside it."""

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import access_log
from .networks.base import Counts

# How each network is named on the page, in the order the page lists them.
NETWORKS = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "threads": "Threads",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "x": "X (Twitter)",
}
OTHER_SITES = "other websites"
# In English whatever the computer's locale (strftime's %B follows it).
MONTHS = (
    "January February March April May June July August September October November December"
).split()
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    """One announced post on one channel."""

    title: str
    path: str  # the post's site path: "/news/2026/x/"
    url: str  # its full address
    channel: str  # the ANNOUNCE_CHANNELS name
    network: str  # "mastodon", "bluesky", ...
    announced: datetime  # aware
    counts: Counts | None  # None: not read yet
    replies: int
    questions: int
    answered: int  # questions the library has answered


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter, cut to the period asked for."""

    start: date  # the first day counted (the quarter's, or the period's when later)
    end: date  # the last day counted
    name: str  # "October to December 2026"
    slug: str  # "2026-q4": for ids in the page

    @property
    def whole(self) -> bool:
        first, last = _quarter_bounds(self.start)
        return self.start == first and self.end == last


def network_name(network: str) -> str:
    return NETWORKS.get(network, network.capitalize() if network else "Other")


def _quarter_bounds(day: date) -> tuple[date, date]:
    first_month = (day.month - 1) // 3 * 3 + 1
    first = date(day.year, first_month, 1)
    if first_month == 10:
        following = date(day.year + 1, 1, 1)
    else:
        following = date(day.year, first_month + 3, 1)
    return first, following - timedelta(days=1)


def quarters(start: date, end: date) -> list[Quarter]:
    """The calendar quarters from `start` to `end` (both included), oldest first."""
    found = []
    day = start
    while day <= end:
        first, last = _quarter_bounds(day)
        name = f"{MONTHS[first.month - 1]} to {MONTHS[last.month - 1]} {last.year}"
        slug = f"{first.year}-q{(first.month + 2) // 3}"
        found.append(Quarter(max(first, start), min(last, end), name, slug))
        day = last + timedelta(days=1)
    return found


def in_period(rows, start: date, end: date) -> list[Row]:
    """The rows announced from `start` to `end` (days as the announcement's own clock
    has them), oldest first."""
    return sorted(
        (r for r in rows if start <= r.announced.date() <= end),
        key=lambda r: (r.announced, r.title, r.channel),
    )


def period(rows, traffic, start: date | None, end: date | None) -> tuple[date, date]:
    """The period asked for; one not given runs from the first announcement (or page
    view) to the last."""
    days = [r.announced.date() for r in rows]
    if traffic is not None and traffic.first:
        days += [traffic.first, traffic.last]
    today = date.today()
    return (start or min(days, default=today), end or max(days, default=today))


def likes(row: Row) -> int:
    return row.counts.likes if row.counts else 0


def reposts(row: Row) -> int:
    return row.counts.reposts if row.counts else 0


def reactions(row: Row) -> int:
    """Likes, reposts and replies: what the chart adds up for each network."""
    return likes(row) + reposts(row) + row.replies


def _networks(rows, referred: Counter) -> list[str]:
    """Every network that has an announcement or sent a visit, in the page's order."""
    present = {r.network for r in rows} | {n for n in referred if n != access_log.OTHER}
    return [n for n in NETWORKS if n in present] + sorted(present - NETWORKS.keys())


# --- CSV ---------------------------------------------------------------------------


def cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows, traffic: access_log.Traffic | None, start: date, end: date) -> str:
    """One line per announced post and channel from `start` to `end`; with `traffic`,
    the post's page views and the visits each network sent to it in the period."""
    start, end = period(rows, traffic, start, end)
    rows = in_period(rows, start, end)
    header = [
        "Post title", "Address", "Channel", "Network", "Announced", "Likes", "Reposts",
        "Quotes", "Views on the network", "Replies", "Questions", "Questions answered",
        "Questions not answered",
    ]  # fmt: skip
    networks = []
    if traffic is not None:
        views = access_log.views_by_path(traffic, start, end)
        referred = access_log.referred_by_path(traffic, start, end)
        networks = [*_networks(rows, access_log.referred_by_network(traffic, start, end)),
                     access_log.OTHER]  # fmt: skip
        header += ["Page views of the post"]
        header += [f"Visits to the post from {_visit_source(n)}" for n in networks]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        counts = row.counts
        line = [
            row.title, row.url, row.channel, network_name(row.network),
            row.announced.isoformat(),
            counts.likes if counts else None, counts.reposts if counts else None,
            counts.quotes if counts else None, counts.views if counts else None,
            row.replies, row.questions, row.answered, row.questions - row.answered,
        ]  # fmt: skip
        if traffic is not None:
            path = access_log.normalise(row.path)
            line.append(views.get(path, 0))
            line += [referred.get(path, Counter()).get(n, 0) for n in networks]
        writer.writerow([cell(v) for v in line])
    return out.getvalue()


def _visit_source(network: str) -> str:
    return OTHER_SITES if network == access_log.OTHER else network_name(network)


# --- the page ----------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    posts: int  # distinct posts announced
    announcements: int  # posts x channels
    networks: int
    replies: int
    questions: int
    answered: int
    likes: int
    reposts: int
    not_read: int  # announcements whose counts were not read yet
    page_views: int | None  # of the announced posts' pages; None without a log
    social_visits: int | None  # to any page, from the social networks
    other_visits: int | None  # to any page, from other websites


def totals(rows, traffic, start: date, end: date) -> Totals:
    paths = {access_log.normalise(r.path) for r in rows}
    page_views = social = other = None
    if traffic is not None:
        views = access_log.views_by_path(traffic, start, end)
        page_views = sum(views.get(p, 0) for p in paths)
        by_network = access_log.referred_by_network(traffic, start, end)
        other = by_network.get(access_log.OTHER, 0)
        social = sum(by_network.values()) - other
    return Totals(
        posts=len(paths),
        announcements=len(rows),
        networks=len({r.network for r in rows}),
        replies=sum(r.replies for r in rows),
        questions=sum(r.questions for r in rows),
        answered=sum(r.answered for r in rows),
        likes=sum(likes(r) for r in rows),
        reposts=sum(reposts(r) for r in rows),
        not_read=sum(1 for r in rows if r.counts is None),
        page_views=page_views,
        social_visits=social,
        other_visits=other,
    )


# The chart's drawing, in SVG user units. Narrow, with each network's name above its
# bars, so the words stay readable when the SVG shrinks to a phone's width.
CHART_WIDTH, NUMBER_WIDTH = 360, 112
NAME, BAR, GAP = 20, 18, 12


def chart(quarter: Quarter, rows, traffic, networks: list[str]) -> dict:
    """One quarter's chart and table: per network, the reactions to the posts announced
    in it (likes, reposts, replies) and, with a log, the visits it sent to the site."""
    mine = [r for r in rows if quarter.start <= r.announced.date() <= quarter.end]
    visits = (
        access_log.referred_by_network(traffic, quarter.start, quarter.end) if traffic else None
    )
    lines = []
    for network in networks:
        own = [r for r in mine if r.network == network]
        lines.append({
            "network": network,
            "name": network_name(network),
            "posts": len({r.path for r in own}),
            "likes": sum(likes(r) for r in own),
            "reposts": sum(reposts(r) for r in own),
            "replies": sum(r.replies for r in own),
            "reactions": sum(reactions(r) for r in own),
            "visits": None if visits is None else visits.get(network, 0),
        })  # fmt: skip
    with_visits = visits is not None
    finding = headline(lines, with_visits)
    top, height = layout(lines, with_visits)
    return {
        "quarter": quarter,
        "lines": lines,
        "with_visits": with_visits,
        "other_visits": None if visits is None else visits.get(access_log.OTHER, 0),
        "finding": finding,
        "title": f"{quarter.name}: {finding}",
        "description": describe(lines, with_visits),
        "top": top,
        "height": height,
        "width": CHART_WIDTH,
    }


def layout(lines, with_visits: bool) -> tuple[int, int]:
    """Where each network's name and bars go (set on each line); gives the top of the
    first network and the chart's height. One scale for both kinds of bar."""
    kinds = ["reactions"] + (["visits"] if with_visits else [])
    biggest = max([1] + [line[kind] for line in lines for kind in kinds])
    span = CHART_WIDTH - NUMBER_WIDTH
    top = 24 * len(kinds) + 12  # under the legend: one line per kind of bar
    y = top
    for line in lines:
        line["label_y"] = y + 15
        line["bars"] = []
        for i, kind in enumerate(kinds):
            width = round(span * line[kind] / biggest, 1)
            bar_y = y + NAME + i * (BAR + 2)
            words = f"{line[kind]:,} {kind}" if with_visits else f"{line[kind]:,}"
            if line[kind] == 1 and with_visits:
                words = words.removesuffix("s")
            line["bars"].append({"kind": kind, "y": bar_y, "width": width, "words": words})
        y += NAME + len(kinds) * (BAR + 2) + GAP
    return top, max(y, top + NAME)


def headline(lines, with_visits: bool) -> str:
    """What the chart shows, said in one sentence."""
    said = []  # (who, what they did)
    for key, verb in [("reactions", "had")] + ([("visits", "sent")] if with_visits else []):
        most = max((line[key] for line in lines), default=0)
        if most:
            names = [line["name"] for line in lines if line[key] == most]
            each = " each" if len(names) > 1 else ""
            said.append((_and(names), f"{verb} the most {key} ({most:,}{each})"))
    if len(said) == 2 and said[0][0] == said[1][0]:
        return f"{said[0][0]} {said[0][1]} and {said[1][1]}"
    if said:
        return "; ".join(f"{who} {what}" for who, what in said)
    return "no reactions, and no visits from social media" if with_visits else "no reactions"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def describe(lines, with_visits: bool) -> str:
    parts = []
    for line in lines:
        text = f"{line['name']}: {line['reactions']:,} reactions"
        if with_visits:
            text += f", {line['visits']:,} visits"
        parts.append(text)
    return "; ".join(parts) + "." if parts else "No announcements on any network."


def long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def short_date(moment: datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1][:3]} {moment.year}"


def post_lines(rows, traffic, start: date, end: date) -> list[dict]:
    views = access_log.views_by_path(traffic, start, end) if traffic else {}
    referred = access_log.referred_by_path(traffic, start, end) if traffic else {}
    lines = []
    for row in rows:
        path = access_log.normalise(row.path)
        lines.append({
            "row": row,
            "network": network_name(row.network),
            "when": short_date(row.announced),
            "views": views.get(path, 0) if traffic else None,
            "visits": referred.get(path, Counter()).get(row.network, 0) if traffic else None,
        })  # fmt: skip
    return lines


def html_page(rows, traffic: access_log.Traffic | None, start: date, end: date,
              site_name: str) -> str:  # fmt: skip
    """The report as one standalone HTML page: totals first, then a chart and its
    table for each quarter, then every announcement."""
    start, end = period(rows, traffic, start, end)
    rows = in_period(rows, start, end)
    everything = access_log.referred_by_network(traffic, start, end) if traffic else Counter()
    networks = _networks(rows, everything)
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["number"] = lambda n: f"{n:,}"
    environment.filters["long_date"] = long_date
    return environment.get_template("report.html").render(
        site_name=site_name,
        start=long_date(start),
        end=long_date(end),
        totals=totals(rows, traffic, start, end),
        charts=[chart(q, rows, traffic, networks) for q in quarters(start, end)],
        posts=post_lines(rows, traffic, start, end),
        traffic=traffic,
        networks=NETWORKS,
    )
