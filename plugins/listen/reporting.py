"""`make report`: for each post announced in the period, on each channel, what it
achieved (from the ledger and the listen state), and, given the web server's access
log, its page views and the visits each network sent. Writes a page and a CSV to the
announce state folder (never deployed)."""

import logging
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from announce.ledger import SENT, parse_time

from . import access_log
from .networks.base import Counts
from .report import Row, csv_text, html_page

logger = logging.getLogger("listen")


def period(start: str | None, end: str | None, now: datetime) -> tuple[date, date]:
    """FROM and TO, the first and last day (both counted); by default the last 90 days."""
    last = _day("TO", end) if end else now.date()
    first = _day("FROM", start) if start else last - timedelta(days=89)
    if first > last:
        raise ValueError(f"FROM={first} is after TO={last}. Fix: swap them.")
    return first, last


def _day(name, value) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a day. Fix: write it as 2026-10-01.") from None


def rows(ledger, state, channels: dict, start: date, end: date, zone="UTC") -> list[Row]:
    """One row per post and channel announced from `start` to `end` (days on the site's
    clock, TIMEZONE `zone`, as the access log's are on the server's)."""
    tz = ZoneInfo(zone or "UTC")
    found = []
    for post_id in ledger.posts():
        details = ledger.details(post_id)
        for channel in ledger.sent_on(post_id):
            line = ledger.status([post_id], channel).line
            when = parse_time(line["t"]).astimezone(tz)
            if not start <= when.date() <= end or line.get("state") != SENT:
                continue
            items = [(k, i) for k, i in state.items.items()
                     if i.get("post") == post_id and i.get("channel") == channel
                     and not i.get("by_library") and not state.is_gone(k)]  # fmt: skip
            counts = state.latest_counts(post_id, channel)
            found.append(Row(
                title=details.get("title", ""),
                path=details.get("path") or urlsplit(details.get("url", "")).path,
                url=details.get("url", ""),
                channel=channel,
                network=channels.get(channel, channel),
                announced=when,
                counts=None if counts is None else Counts(**counts),
                replies=len(items),
                questions=sum(1 for _, i in items if i.get("question")),
                answered=sum(1 for k, i in items if i.get("question") and k in state.answered),
            ))  # fmt: skip
    return sorted(found, key=lambda row: (row.announced, row.channel))


def report(settings, config, listen_config, ledger, args, now) -> int:
    from .state import State

    start, end = period(args.start, args.end, now)
    state = State.load(listen_config.state)
    channels = {c.name: c.type for c in config.channels}
    traffic = None
    if args.access_log:
        site = urlsplit(settings.get("SITEURL", "")).hostname
        for path in args.access_log:
            if not os.path.isfile(path):
                raise ValueError(f"ACCESS_LOG: {path} is not a file. Fix: give the path of "
                                 "the web server's access log.")  # fmt: skip
        traffic = access_log.read(
            [Path(path) for path in args.access_log],
            mastodon_hosts(config),
            start,
            end,
            site_hosts=(site,) if site else (),
        )
    found = rows(ledger, state, channels, start, end, settings.get("TIMEZONE", "UTC"))
    name = f"report-{start}-to-{end}"
    folder = config.state_dir
    os.makedirs(folder, exist_ok=True)
    page, table = os.path.join(folder, name + ".html"), os.path.join(folder, name + ".csv")
    with open(page, "w", encoding="utf-8") as f:
        f.write(html_page(found, traffic, start, end, settings.get("SITENAME", "")))
    with open(table, "w", encoding="utf-8", newline="") as f:
        f.write(csv_text(found, traffic, start, end))
    logger.info("report: %d announcement(s) from %s to %s.\nreport: the page is %s\n"
                "report: the table (CSV, for a spreadsheet) is %s", len(found), start,
                end, os.path.abspath(page), os.path.abspath(table))  # fmt: skip
    return 0


def mastodon_hosts(config) -> tuple[str, ...]:
    """The library's Mastodon instances: visits from them came from Mastodon."""
    hosts = []
    for channel in config.channels:
        if channel.type == "mastodon":
            url = channel.env(os.environ, "API_BASE_URL")
            if url:
                hosts.append(urlsplit(url).hostname or "")
    return tuple(h for h in hosts if h)
