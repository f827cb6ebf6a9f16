"""The web server's access log, read for `make report`: page views and the visits each
social network sent, per page and per day. No cookies, no IP addresses (the host field
is matched and thrown away, never kept in a record), robots left out.

Reads the Common and Combined Log Formats (Apache's and nginx's defaults), with or
without a trailing extra field (nginx's "$http_x_forwarded_for"), plain or gzip
(rotated `access.log.2.gz`). `read` is the one entry point; `parse` and `classify`
are the pure pieces it is made of."""

import functools
import gzip
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from os import PathLike
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

logger = logging.getLogger(__name__)

OTHER = "other"  # a link from any other website

# host 'ident' 'user' [time] "request" status size ["referrer" "agent"] [anything more]
# The host is matched (\S+) but never captured: it never leaves this regular expression.
_QUOTED = r'"([^"\\]*(?:\\.[^"\\]*)*)"'  # "...", with \" inside: unrolled, for speed
LINE = re.compile(
    rf"^\S+ \S+ \S+ \[([^\]]+)\] {_QUOTED} (\d{{3}}|-) (?:\d+|-)"
    rf"(?: {_QUOTED} {_QUOTED})?(?:\s.*)?$"
)
MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
TIME = re.compile(r"^(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$")

COUNTED_METHODS = {"GET"}  # HEAD: monitors and link checkers, not readers
COUNTED_STATUSES = {"200", "304"}

# Robots and link-preview fetchers, by words in their user agent (lower case).
ROBOT_WORDS = (
    "facebookexternalhit", "facebot", "twitterbot", "mastodon/", "cardyb", "slackbot",
    "discordbot", "telegrambot", "whatsapp", "bingbot", "googlebot", "curl", "wget",
    "python-requests", "headlesschrome", "lighthouse", "crawl", "spider", "slurp", "preview",
    "+http://", "+https://",  # the contact address only robots put in their user agent
)  # fmt: skip
# And "bot" starting or ending a word: AhrefsBot/7, Googlebot-Image, robot; not "Abbott"
# or the CUBOT_X30 phone.
BOT_WORD = re.compile(r"(?<![a-z])bot|bot(?!\w)")

# Where a link was followed from: host (and any subdomain of it) -> network.
REFERRERS = {
    "facebook.com": "facebook",
    "fb.me": "facebook",
    "fb.com": "facebook",
    "instagram.com": "instagram",
    "threads.net": "threads",
    "threads.com": "threads",
    "bsky.app": "bluesky",
    "t.co": "x",
    "x.com": "x",
    "twitter.com": "x",
}
# Android apps name themselves as the referrer: "android-app://com.facebook.katana/".
APPS = {
    "com.facebook.katana": "facebook", "com.facebook.lite": "facebook",
    "com.instagram.android": "instagram",
    "com.instagram.barcelona": "threads",
    "xyz.blueskyweb.app": "bluesky",
    "com.twitter.android": "x",
    "org.joinmastodon.android": "mastodon", "com.keylesspalace.tusky": "mastodon",
}  # fmt: skip
# utm_source values in the requested address -> network.
UTM_SOURCES = {
    "facebook": "facebook", "fb": "facebook",
    "instagram": "instagram", "ig": "instagram",
    "threads": "threads",
    "bluesky": "bluesky", "bsky": "bluesky",
    "x": "x", "twitter": "x",
    "mastodon": "mastodon", "fediverse": "mastodon",
}  # fmt: skip


@dataclass(frozen=True)
class Hit:
    """One line of the log, as much of it as the report needs (no host, no user)."""

    time: datetime  # aware, in the log's own offset
    method: str
    target: str  # the requested address, query string included
    status: str
    referrer: str  # "" when the log has none or "-"
    agent: str | None  # None: the Common Log Format has no user agent field


@dataclass
class Traffic:
    """What the log shows, per page (a site path: "/news/2026/x/") and per local day."""

    views: Counter = field(default_factory=Counter)  # (path, day) -> page views
    referred: Counter = field(default_factory=Counter)  # (path, day, network) -> views
    lines: int = 0  # lines read (in the period or not)
    skipped: int = 0  # lines that are not a log line (counted, never stop the reading)
    bots: int = 0  # page views left out because a robot or link preview made them
    unchecked: int = 0  # page views counted from lines without a user agent (Common format)
    damaged: list[str] = field(default_factory=list)  # files that could not be read to the end
    first: date | None = None  # the first and last day a page view was counted
    last: date | None = None

    def add(self, path: str, day: date, network: str | None):
        self.views[path, day] += 1
        if network:
            self.referred[path, day, network] += 1
        self.first = day if self.first is None else min(self.first, day)
        self.last = day if self.last is None else max(self.last, day)


def parse(line: str) -> Hit | None:
    """One log line, or None when it is not one."""
    found = LINE.match(line.rstrip("\r\n"))
    if not found:
        return None
    when, request, status, referrer, agent = found.groups()
    time = parse_time(when)
    if time is None:
        return None
    method, _, rest = request.partition(" ")
    target = rest.rsplit(" ", 1)[0] if " " in rest else rest
    return Hit(
        time=time,
        method=method,
        target=target,
        status=status,
        referrer="" if referrer in (None, "-") else referrer,
        agent=None if agent is None else ("" if agent == "-" else agent),
    )


@functools.lru_cache(maxsize=4096)  # a busy log has many lines in the same second
def parse_time(text: str) -> datetime | None:
    """'10/Oct/2026:13:55:36 +0100' (English month names whatever the locale)."""
    found = TIME.match(text)
    if not found or found[2] not in MONTHS:
        return None
    day, month, year, hour, minute, second, sign, off_h, off_m = found.groups()
    offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (-1 if sign == "-" else 1)
    try:
        return datetime(int(year), MONTHS[month], int(day), int(hour), int(minute),
                        int(second), tzinfo=timezone(offset))  # fmt: skip
    except ValueError:
        return None


def page(target: str) -> str | None:
    """The site path a request is for, when it is a page ("/x/", "/x.html"), or None
    (pictures, styles, feeds, anything else). The query string goes; "index.html" is
    the folder it is in."""
    path = urlsplit(target).path if "://" in target[:10] else target.split("?", 1)[0]
    path = unquote(path.split("#", 1)[0])
    if not path.startswith("/"):
        return None
    return normalise(path) if path.endswith(("/", ".html")) else None


def normalise(path: str) -> str:
    """A site path as the log counts it: "/news/index.html" and "/news/" are one page."""
    if path.endswith("/index.html"):
        return path[: -len("index.html")]
    return path


def is_robot(agent: str | None) -> bool:
    """A robot or a link-preview fetcher; an empty user agent too. None (the Common
    Log Format has no such field) cannot be checked and is not one."""
    if agent is None:
        return False
    agent = agent.strip().lower()
    if agent in ("", "-") or any(word in agent for word in ROBOT_WORDS):
        return True
    return "bot" in agent and bool(BOT_WORD.search(agent))


def host_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def _under(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def classify(referrer: str, target: str = "", mastodon_hosts=(), site_hosts=()) -> str | None:
    """The social network a visit came from, OTHER for any other website, None for
    none (typed in, a bookmark, an app that sends no referrer, the site's own pages).
    A `utm_source` naming a network in the requested address wins."""
    query = urlsplit(target).query
    for source in parse_qs(query).get("utm_source", []):
        if source.strip().lower() in UTM_SOURCES:
            return UTM_SOURCES[source.strip().lower()]
    if not referrer:
        return None
    scheme = referrer.partition("://")[0].lower()
    if scheme == "android-app":
        return APPS.get(host_of(referrer), OTHER)
    if scheme not in ("http", "https"):
        return None  # "-" and anything else that is not an address
    host = host_of(referrer)
    if not host:
        return None
    if any(_under(host, h) for h in _hosts(site_hosts)):
        return None
    for domain, network in REFERRERS.items():
        if _under(host, domain):
            return network
    # Mastodon servers are many: the library's own (and utm_source=mastodon above). An
    # address like /@name is no sign: Medium, YouTube and TikTok use it too.
    if host in _hosts(mastodon_hosts):
        return "mastodon"
    return OTHER


def _hosts(hosts) -> frozenset[str]:
    """Hosts as given in settings: "example.social", "https://example.social/", "www.x"."""
    return _normalised(tuple(hosts))


@functools.lru_cache(maxsize=64)
def _normalised(hosts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(host_of(h if "://" in h else "https://" + h) for h in hosts if h.strip())


def sources(paths_or_lines) -> Iterable[tuple[Path | None, Iterable[str]]]:
    """(path, its lines) for each path (plain or gzip), (None, lines) for lines already
    read. A string is a path unless it holds a double quote, a "[" or a line break
    (every log line has them): pass Path objects to be sure. A path that does not
    exist raises FileNotFoundError before anything is read."""
    if isinstance(paths_or_lines, str | PathLike):
        paths_or_lines = [paths_or_lines]
    items = [
        Path(item) if isinstance(item, PathLike) or not any(c in item for c in '"[\n') else item
        for item in paths_or_lines
    ]
    for path in (item for item in items if isinstance(item, Path)):
        if not path.is_file():
            raise FileNotFoundError(f"No access log at {path}")
    for item in items:
        yield (item, _read_file(item)) if isinstance(item, Path) else (None, item.splitlines())


def _read_file(path: Path) -> Iterable[str]:
    with open(path, "rb") as raw:
        zipped = raw.read(2) == b"\x1f\x8b"  # gzip's magic number, whatever the name
    opener = gzip.open if zipped else open
    # Logs hold whatever clients sent: bytes that are not UTF-8 must not stop the reading.
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        yield from f


def read(
    paths_or_lines, mastodon_hosts=(), start: date | None = None, end: date | None = None,
    *, site_hosts=(),
) -> Traffic:  # fmt: skip
    """Page views per page and day (`start` to `end`, both included, days as the log's
    own clock has them), and the views each network referred. `mastodon_hosts`: the
    library's Mastodon instances; `site_hosts`: the site's own hosts (links between its
    own pages are not "other websites"). A damaged file (a gzip cut short) is read as
    far as it goes, logged, and named in `Traffic.damaged`."""
    traffic = Traffic()
    mastodon_hosts, site_hosts = tuple(_hosts(mastodon_hosts)), tuple(_hosts(site_hosts))
    for path, lines in sources(paths_or_lines):
        try:
            for line in lines:
                if not line.strip():
                    continue
                traffic.lines += 1
                hit = parse(line)
                if hit is None:
                    traffic.skipped += 1
                    continue
                count(traffic, hit, mastodon_hosts, site_hosts, start, end)
        except (OSError, EOFError) as error:
            logger.warning("Could not read all of %s: %s", path, error)
            traffic.damaged.append(str(path))
    return traffic


def count(traffic: Traffic, hit: Hit, mastodon_hosts=(), site_hosts=(), start=None, end=None):
    """Add one line to `traffic` when it is a page view in the period."""
    day = hit.time.date()
    if (start and day < start) or (end and day > end):
        return
    if hit.method not in COUNTED_METHODS or hit.status not in COUNTED_STATUSES:
        return
    path = page(hit.target)
    if path is None:
        return
    if is_robot(hit.agent):
        traffic.bots += 1
        return
    if hit.agent is None:
        traffic.unchecked += 1
    traffic.add(path, day, classify(hit.referrer, hit.target, mastodon_hosts, site_hosts))


def _in(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


def views_by_path(traffic: Traffic, start: date | None = None, end: date | None = None) -> Counter:
    """path -> page views from `start` to `end` (both included)."""
    total = Counter()
    for (path, day), n in traffic.views.items():
        if _in(day, start, end):
            total[path] += n
    return total


def referred_by_path(
    traffic: Traffic, start: date | None = None, end: date | None = None
) -> dict[str, Counter]:
    """path -> {network: views it referred} from `start` to `end` (both included)."""
    total: dict[str, Counter] = {}
    for (path, day, network), n in traffic.referred.items():
        if _in(day, start, end):
            total.setdefault(path, Counter())[network] += n
    return total


def referred_by_network(
    traffic: Traffic, start: date | None = None, end: date | None = None
) -> Counter:
    """network -> views it referred to any page, from `start` to `end`."""
    total = Counter()
    for (_, day, network), n in traffic.referred.items():
        if _in(day, start, end):
            total[network] += n
    return total
