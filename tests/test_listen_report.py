"""`make report`'s pure parts: the web server's access log read (page views, visits from
each social network, robots left out, no IP address kept), and the page and CSV made
from the announced posts and that traffic."""

import csv
import dataclasses
import gzip
import io
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from bs4 import BeautifulSoup

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from listen import access_log  # noqa: E402
from listen.networks.base import Counts  # noqa: E402
from listen.report import Row, cell, csv_text, html_page, quarters  # noqa: E402
from test_accessibility import WCAG_TAGS  # noqa: E402

A, B, C = "/news/2026/reading-group/", "/news/2026/lego-club/", "/news/2026/summer-reading/"
MASTODON_HOSTS = ("toot.riverside.example",)
SITE_HOSTS = ("https://www.riverside-libraries.example",)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"
)
ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 10; CUBOT_X30) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Mobile Safari/537.36"
)
IPS = ("192.0.2.", "198.51.100.", "2001:db8:", "203.0.113.")


def common(when, request, status="200", size="5120", host="192.0.2.10"):
    return f'{host} - - [{when}] "{request}" {status} {size}'


def combined(when, request, referrer="-", agent=CHROME, status="200", host="198.51.100.7"):
    return common(when, request, status, host=host) + f' "{referrer}" "{agent}"'


OCT5, NOV12 = "05/Oct/2026:10:{:02d}:00 +0100", "12/Nov/2026:19:{:02d}:00 +0000"
ROBOTS = [
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Facebot",
    "Twitterbot/1.0",
    "http.rb/5.1.1 (Mastodon/4.2.0; +https://social.example/)",
    "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "TelegramBot (like TwitterBot)",
    "WhatsApp/2.23.20.0 A",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
    "+http://www.google.com/bot.html)",
    "curl/8.5.0",
    "Wget/1.21.4",
    "python-requests/2.32.3",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0)",  # the generic "bot" word
    "Mozilla/5.0 (compatible; Baiduspider/2.0)",
    "Mozilla/5.0 (compatible; Yahoo! Slurp)",
    "Iframely link preview/1.3.1",
    "MJ12crawler",
    "-",  # no user agent
    "",
]
assert len(ROBOTS) == 23

# The live log: October to December 2026 and one line of January 2027.
MAIN = [
    # Read from each social network's link (A: 8 views, B: 6).
    combined(OCT5.format(1), f"GET {A} HTTP/1.1", "https://l.facebook.com/l.php?u=x", FIREFOX),
    combined(OCT5.format(2), f"GET {A}index.html HTTP/1.1", "https://m.facebook.com/", IPHONE),
    combined(OCT5.format(3), f"GET {A} HTTP/2.0", "https://l.instagram.com/?u=x", status="304"),
    combined(OCT5.format(4), f"GET {A}?utm_source=instagram&utm_medium=social HTTP/1.1"),
    combined(OCT5.format(5), f"GET {A} HTTP/1.1", "https://l.threads.com/?u=x", IPHONE),
    combined(OCT5.format(6), f"GET {A} HTTP/1.1", "https://www.threads.net/@riverside/post/C1"),
    combined(OCT5.format(7), f"GET {A} HTTP/1.1", "https://go.bsky.app/x1", ANDROID_PHONE),
    combined(OCT5.format(8), f"GET {A} HTTP/1.1", "https://bsky.app/profile/r.example/post/3k"),
    combined(NOV12.format(1), f"GET {B} HTTP/1.1", "https://t.co/AbC123"),
    combined(NOV12.format(2), f"GET {B} HTTP/1.1", "https://x.com/"),
    combined(NOV12.format(3), f"GET {B} HTTP/1.1", "https://toot.riverside.example/"),
    combined(NOV12.format(4), f"GET {B} HTTP/1.1", "https://social.example/@ann/1122334455"),
    combined(NOV12.format(5), f"GET {B} HTTP/1.1", "https://www.google.com/"),
    # From the site's own news page: neither a network nor another website.
    combined(NOV12.format(6), f"GET {B} HTTP/1.1", "https://www.riverside-libraries.example/"),
    combined("20/Nov/2026:08:00:00 +0000", "GET / HTTP/1.1"),
    # Local time: 31 December in New York is 1 January in London, and is counted on the 31st.
    combined("31/Dec/2026:23:30:00 -0500", f"GET {B} HTTP/1.1", agent=FIREFOX),
    # IPv6 and nginx's trailing "$http_x_forwarded_for".
    combined(
        "01/Dec/2026:12:00:00 +0000", f"GET {B} HTTP/2.0", "https://fb.me/abc", host="2001:db8::42"
    )
    + ' "203.0.113.9"',  # fmt: skip
    # Not page views: pictures, styles, feeds, a missing page, a form, a redirect.
    combined(OCT5.format(20), "GET /theme/css/style.css HTTP/1.1", f"https://example.org{A}"),
    combined(OCT5.format(21), "GET /images/2026/lego.jpg HTTP/1.1", "https://t.co/x"),
    combined(OCT5.format(22), "GET /feeds/all.atom.xml HTTP/1.1", agent="NetNewsWire/6.1"),
    combined(OCT5.format(23), "GET /news/2026/missing/ HTTP/1.1", status="404"),
    combined(OCT5.format(24), "POST /search/ HTTP/1.1"),
    combined(OCT5.format(25), "GET /news/2026/reading-group HTTP/1.1", status="301"),
    combined(OCT5.format(26), "GET /theme/css/style.css HTTP/1.1", agent=ROBOTS[10]),
    # Robots and link previews, each reading a page (23 page views left out).
    *(
        combined(
            f"06/Oct/2026:03:{i:02d}:00 +0100",
            f"GET {A} HTTP/1.1",
            "https://www.facebook.com/" if i == 0 else "-",
            agent,
        )  # fmt: skip
        for i, agent in enumerate(ROBOTS)
    ),
    # The Common Log Format: no referrer, no user agent (2 page views, unchecked).
    common("13/Nov/2026:09:00:00 +0000", f"GET {B} HTTP/1.0"),
    common("13/Nov/2026:09:01:00 +0000", f"GET {A}index.html HTTP/1.0", host="2001:db8::7"),
    # Not log lines (2 skipped).
    "this is not a log line [at all",
    '192.0.2.7 - - [05/Oct/2026:10:00:00 +0100] "GET /news/2026/lego-',
    # January 2027.
    combined("02/Jan/2027:10:00:00 +0000", f"GET {A} HTTP/1.1", "https://www.facebook.com/"),
    # A monitor or link checker asking if the page is there: not a reader.
    combined(NOV12.format(7), f"HEAD {B} HTTP/1.1", agent=FIREFOX),
]
# The rotated log, gzip-compressed: September and the first minutes of October.
ROTATED = [
    combined("30/Sep/2026:23:30:00 +0100", f"GET {A} HTTP/1.1", "https://lm.facebook.com/"),
    combined("15/Sep/2026:14:00:00 +0100", f"GET {B} HTTP/1.1"),
    # 23:10 on 30 September in UTC; 1 October on the library's clock.
    combined("01/Oct/2026:00:10:00 +0100", f"GET {A} HTTP/1.1", "https://bsky.app/"),
    combined("15/Sep/2026:14:05:00 +0100", f"GET {B} HTTP/1.1", agent=ROBOTS[10]),
]


@pytest.fixture
def logs(tmp_path):
    main = tmp_path / "access.log"
    main.write_text("\n".join(MAIN) + "\n", encoding="utf-8")
    rotated = tmp_path / "access.log.1.gz"
    with gzip.open(rotated, "wt", encoding="utf-8") as f:
        f.write("\n".join(ROTATED) + "\n")
    return [main, rotated]


def read(logs, **period):
    return access_log.read(logs, MASTODON_HOSTS, site_hosts=SITE_HOSTS, **period)


def per_path(counter: Counter) -> Counter:
    total = Counter()
    for (path, *_), n in counter.items():
        total[path] += n
    return total


def test_the_whole_log_plain_and_gzip(logs):
    traffic = read(logs)
    assert traffic.lines == len(MAIN) + len(ROTATED)
    assert (traffic.skipped, traffic.bots, traffic.unchecked) == (2, 24, 2)
    assert access_log.views_by_path(traffic) == {A: 12, B: 10, "/": 1}
    assert access_log.referred_by_path(traffic) == {
        A: {"facebook": 4, "instagram": 2, "threads": 2, "bluesky": 3},
        B: {"x": 2, "mastodon": 1, "other": 2, "facebook": 1},
    }
    assert (traffic.first, traffic.last) == (date(2026, 9, 15), date(2027, 1, 2))


def test_a_period_counts_days_on_the_logs_own_clock(logs):
    traffic = read(logs, start=date(2026, 10, 1), end=date(2026, 12, 31))
    assert per_path(traffic.views) == {A: 10, B: 9, "/": 1}
    assert traffic.views[A, date(2026, 10, 1)] == 1  # 00:10 +0100
    assert traffic.views[B, date(2026, 12, 31)] == 1  # 23:30 -0500
    assert traffic.referred[A, date(2026, 10, 1), "bluesky"] == 1
    assert access_log.referred_by_network(traffic) == {
        "facebook": 3, "instagram": 2, "threads": 2, "bluesky": 3, "x": 2, "mastodon": 1,
        "other": 2,
    }  # fmt: skip
    assert (traffic.bots, traffic.unchecked, traffic.skipped) == (23, 2, 2)
    # The helpers cut a whole log's traffic the same way.
    whole = read(logs)
    assert access_log.views_by_path(whole, date(2026, 10, 1), date(2026, 12, 31)) == {
        A: 10, B: 9, "/": 1,
    }  # fmt: skip
    assert access_log.referred_by_network(whole, date(2026, 9, 1), date(2026, 9, 30)) == {
        "facebook": 1
    }


@pytest.mark.parametrize("agent", ROBOTS)
def test_each_robot_is_left_out(agent):
    assert access_log.is_robot(agent)


@pytest.mark.parametrize("agent", [CHROME, FIREFOX, IPHONE, ANDROID_PHONE, "NetNewsWire/6.1"])
def test_browsers_are_not_robots(agent):
    assert not access_log.is_robot(agent)


def test_lines_already_read_and_a_single_path(logs):
    assert read(MAIN).views == read([logs[0]]).views == read(logs[0]).views
    assert read("\n".join(ROTATED)).views == read([logs[1]]).views


def test_a_damaged_file_is_read_as_far_as_it_goes_and_a_missing_one_stops(logs, caplog):
    whole = logs[1].read_bytes()
    cut = logs[1].with_name("access.log.2.gz")
    cut.write_bytes(whole[: len(whole) - 12])  # no gzip trailer: EOFError at the end
    traffic = read([logs[0], cut])
    assert traffic.damaged == [str(cut)]
    assert f"Could not read all of {cut}" in caplog.text
    assert traffic.views == read(logs).views  # every line was in the part before the cut
    page = html_page(ROWS, traffic, START, END, "Riverside Libraries")
    assert f"The log file {cut} was damaged" in page
    with pytest.raises(FileNotFoundError, match="No access log at"):
        read([logs[0], logs[0].with_name("nowhere.log")])


def test_no_ip_address_is_kept(logs):
    traffic = read(logs)
    kept = repr(traffic) + repr(dataclasses.asdict(traffic))
    assert not [ip for ip in IPS if ip in kept]
    names = {f.name for f in dataclasses.fields(access_log.Traffic)}
    names |= {f.name for f in dataclasses.fields(access_log.Hit)}
    assert not names & {"host", "ip", "address", "remote", "client", "user"}
    hit = access_log.parse(MAIN[16])
    assert not [ip for ip in IPS if ip in repr(hit)]
    assert hit.agent == CHROME and hit.referrer == "https://fb.me/abc"


def test_referrers():
    def net(referrer, target="/x/"):
        return access_log.classify(referrer, target, MASTODON_HOSTS, SITE_HOSTS)

    assert net("https://lm.facebook.com/l.php?u=1") == "facebook"
    assert net("https://www.instagram.com/") == "instagram"
    assert net("https://threads.com/@lib") == "threads"
    assert net("https://t.co/x") == net("https://twitter.com/") == "x"
    assert net("https://TOOT.riverside.example:443/home") == "mastodon"
    # Another server: an address with /@name is no sign (Medium, YouTube use it too).
    assert net("https://mas.to/@someone@other.example/123") == "other"
    assert net("https://medium.com/@jane/a-post") == "other"
    assert net("https://mas.to/about") == "other"
    assert net("https://www.riverside-libraries.example/events/") is None
    assert net("-") is None and net("") is None and net("about:blank") is None
    assert net("android-app://com.facebook.katana/") == "facebook"
    assert net("android-app://org.joinmastodon.android") == "mastodon"
    assert net("android-app://com.google.android.gm/") == "other"
    assert net("https://www.google.com/", "/x/?utm_source=mastodon") == "mastodon"
    assert net("https://t.co/x", "/x/?utm_source=newsletter") == "x"


def test_pages_only():
    assert access_log.page("/news/2026/x/index.html?ref=1") == "/news/2026/x/"
    assert access_log.page("/index.html") == "/"
    assert access_log.page("/visit-us.html#map") == "/visit-us.html"
    assert access_log.page("/news/2026/caf%C3%A9/") == "/news/2026/café/"
    assert access_log.page("https://www.riverside-libraries.example/events/") == "/events/"
    for target in ("/feeds/all.atom.xml", "/theme/css/style.css", "/search.json", "*", ""):
        assert access_log.page(target) is None, target


# --- the report --------------------------------------------------------------------

LONDON = timezone(timedelta(hours=1))
HOSTILE = '<script>alert("x")</script> & friends'
INJECTED = '=HYPERLINK("http://evil.example","Summer")'


def row(title, path, channel, network, when, counts, replies, questions, answered):
    url = "https://www.riverside-libraries.example" + path
    return Row(title, path, url, channel, network, when, counts, replies, questions, answered)


ROWS = [
    row(HOSTILE, A, "mastodon", "mastodon", datetime(2026, 10, 5, 9, tzinfo=LONDON),
        Counts(replies=3, reposts=4, likes=10), 3, 2, 1),
    row(HOSTILE, A, "bluesky", "bluesky", datetime(2026, 10, 5, 9, 1, tzinfo=LONDON),
        Counts(replies=1, reposts=2, likes=7, quotes=1), 1, 1, 1),
    row(HOSTILE, A, "facebook", "facebook", datetime(2026, 10, 5, 9, 2, tzinfo=LONDON),
        Counts(replies=2, reposts=1, likes=20, views=340), 2, 0, 0),
    row("Lego club", B, "x", "x", datetime(2026, 11, 12, 18, tzinfo=UTC),
        Counts(likes=5), 0, 0, 0),
    row("Lego club", B, "events", "mastodon", datetime(2026, 11, 12, 18, 5, tzinfo=UTC),
        Counts(replies=4, reposts=3, likes=8), 4, 3, 3),
    row(INJECTED, C, "facebook", "facebook", datetime(2026, 8, 1, 12, tzinfo=LONDON),
        None, 1, 1, 0),
    # Announced before the period: left out.
    row("Old news", "/news/2026/old/", "x", "x", datetime(2026, 6, 30, 12, tzinfo=LONDON),
        Counts(likes=99), 9, 9, 9),
]  # fmt: skip
START, END = date(2026, 7, 1), date(2026, 12, 31)


def test_quarters():
    found = quarters(date(2026, 8, 15), date(2027, 1, 10))
    assert [(q.name, q.start, q.end, q.slug, q.whole) for q in found] == [
        ("July to September 2026", date(2026, 8, 15), date(2026, 9, 30), "2026-q3", False),
        ("October to December 2026", date(2026, 10, 1), date(2026, 12, 31), "2026-q4", True),
        ("January to March 2027", date(2027, 1, 1), date(2027, 1, 10), "2027-q1", False),
    ]
    assert [q.slug for q in quarters(START, END)] == ["2026-q3", "2026-q4"]


def test_csv_columns_and_values(logs):
    table = list(csv.reader(io.StringIO(csv_text(ROWS, read(logs), START, END))))
    assert table[0] == [
        "Post title", "Address", "Channel", "Network", "Announced", "Likes", "Reposts",
        "Quotes", "Views on the network", "Replies", "Questions", "Questions answered",
        "Questions not answered", "Page views of the post", "Visits to the post from Facebook",
        "Visits to the post from Instagram", "Visits to the post from Threads",
        "Visits to the post from Bluesky", "Visits to the post from Mastodon",
        "Visits to the post from X (Twitter)", "Visits to the post from other websites",
    ]  # fmt: skip
    assert len(table) == 1 + 6
    assert table[1] == [
        "'=HYPERLINK(\"http://evil.example\",\"Summer\")", "https://www.riverside-libraries.example"
        + C, "facebook", "Facebook", "2026-08-01T12:00:00+01:00", "", "", "", "", "1", "1", "0",
        "1", "0", "0", "0", "0", "0", "0", "0", "0",
    ]  # fmt: skip
    assert table[2][:13] == [
        HOSTILE, "https://www.riverside-libraries.example" + A, "mastodon", "Mastodon",
        "2026-10-05T09:00:00+01:00", "10", "4", "", "", "3", "2", "1", "1",
    ]  # fmt: skip
    # A's page, July to December: 11 views; 3 from Facebook (one in September), 2 each
    # from Instagram and Threads, 3 from Bluesky.
    assert table[2][13:] == ["11", "3", "2", "2", "3", "0", "0", "0"]
    assert table[4][7:9] == ["", "340"]  # Facebook's views
    assert table[6][2:4] == ["events", "Mastodon"]
    assert table[6][13:] == ["10", "1", "0", "0", "0", "1", "2", "2"]


def test_csv_without_a_log_has_no_visits():
    table = list(csv.reader(io.StringIO(csv_text(ROWS, None, START, END))))
    assert len(table[0]) == 13 and len(table) == 7


@pytest.mark.parametrize("text", ["=1+1", "+44 1632 960000", "-2 days", "@SUM(A1)", "\tx"])
def test_cells_never_run_as_formulas(text):
    assert cell(text) == "'" + text
    assert cell("Reading group") == "Reading group" and cell(None) == "" and cell(3) == "3"


@pytest.fixture
def page(logs):
    return html_page(ROWS, read(logs), START, END, "Riverside <Libraries>")


def test_the_page_shows_totals_first(page):
    soup = BeautifulSoup(page, "html.parser")
    assert soup.html["lang"] == "en-GB"
    assert soup.title.get_text() == (
        "Social media and the website: Riverside <Libraries>, 1 July 2026 to 31 December 2026"
    )
    totals = [li.get_text(" ", strip=True) for li in soup.select("ul.totals li")]
    assert totals == [
        "3 news posts shared on social media (6 announcements on 4 networks)",
        "11 replies from the public",
        "7 questions asked: 5 answered, 2 not answered yet",
        "50 likes",
        "10 shares (reposts and boosts)",
        "21 times these posts were read on the website",
        "14 visits to the website from social media",
    ]
    first = soup.main.find(["h2", "section", "table", "svg"])
    assert first.get_text() == "In total"
    text = soup.get_text(" ", strip=True)
    assert "Likes and shares were not read yet for 1 announcement" in text
    assert "robots and link previews are left out (24 page views this time)" in text
    assert "2 lines of the log could not be read" in text
    assert "the rest of the quarter is outside" not in text  # both quarters are whole
    partial = html_page(ROWS, None, date(2026, 8, 15), END, "Riverside Libraries")
    assert "Only 15 August 2026 to 30 September 2026 is counted" in partial


def test_one_chart_per_quarter_with_its_table(page):
    soup = BeautifulSoup(page, "html.parser")
    sections = soup.select("section.quarter")
    assert [s.h2.get_text() for s in sections] == [
        "July to September 2026",
        "October to December 2026",
    ]
    for section in sections:
        (svg,) = section.select('svg[role="img"]')
        labels = svg["aria-labelledby"].split()
        assert [svg.find(id=i).name for i in labels] == ["title", "desc"]
        (table,) = section.select("table")
        assert table.caption.get_text().endswith("the numbers in the chart")
        assert all(th.get("scope") in ("col", "row") for th in table.select("th"))
    q3, q4 = sections

    def numbers(section):
        return {
            tr.th.get_text(): [td.get_text() for td in tr.select("td")]
            for tr in section.select("tbody tr")
        }

    # Network: posts, likes, shares, replies, reactions, visits.
    assert numbers(q4) == {
        "Facebook": ["1", "20", "1", "2", "23", "3"],
        "Instagram": ["0", "0", "0", "0", "0", "2"],
        "Threads": ["0", "0", "0", "0", "0", "2"],
        "Bluesky": ["1", "7", "2", "1", "10", "3"],
        "Mastodon": ["2", "18", "7", "7", "32", "1"],
        "X (Twitter)": ["1", "5", "0", "0", "5", "2"],
    }
    assert numbers(q3)["Facebook"] == ["1", "0", "0", "1", "1", "1"]
    assert q3.p.get_text() == "Facebook had the most reactions (1) and sent the most visits (1)."
    assert "1 visit" in [t.get_text() for t in q3.svg.find_all("text")]
    assert q4.svg.title.get_text() == (
        "October to December 2026: Mastodon had the most reactions (32); "
        "Facebook and Bluesky sent the most visits (3 each)"
    )
    assert "Mastodon: 32 reactions, 1 visit" in q4.svg.desc.get_text()
    # Every bar has its number written beside it, so colour is never the only cue.
    bar_texts = [t.get_text() for t in q4.svg.find_all("text")]
    assert "32 reactions" in bar_texts and "3 visits" in bar_texts
    assert q4.svg.find("pattern") is not None


def test_the_per_post_table_and_escaping(page):
    soup = BeautifulSoup(page, "html.parser")
    table = soup.find("caption", string="Each post on each network, oldest first").parent
    lines = [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in table.tbody("tr")]
    assert lines[0] == [INJECTED, "Facebook", "1 Aug 2026", "not read yet", "1", "1", "0",
                        "0", "0"]  # fmt: skip
    assert lines[1] == [HOSTILE, "Mastodon", "5 Oct 2026", "10", "4", "3", "2", "1", "11", "0"]
    assert lines[5] == ["Lego club", "Mastodon (events)", "12 Nov 2026", "8", "3", "4", "3",
                        "3", "10", "1"]  # fmt: skip
    assert len(lines) == 6
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Riverside &lt;Libraries&gt;" in page
    assert not soup.find(["script", "link", "img", "iframe", "object"])
    assert not soup.find(attrs={"src": True}) and "url(http" not in page
    links = {a["href"] for a in soup.find_all("a")}
    assert links == {"#main", *(r.url for r in ROWS[:6])}


def test_the_page_without_a_log():
    page = html_page(ROWS, None, START, END, "Riverside Libraries")
    soup = BeautifulSoup(page, "html.parser")
    assert len(soup.select("ul.totals li")) == 5
    assert "no web server log was given" in page
    assert len(soup.select("section.quarter svg")) == 2
    assert "Visits" not in soup.select("section.quarter")[1].table.get_text()


def test_an_empty_period():
    page = html_page([], None, START, END, "Riverside Libraries")
    assert "No post was shared on social media in this period." in page
    assert page.count('role="img"') == 2


def open_page(browser, path, **options):
    context = browser.new_context(**options)
    tab = context.new_page()
    requests = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto(path.as_uri())
    tab.wait_for_load_state("load")
    return context, tab, requests


@pytest.fixture
def page_file(page, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_wcag_violations(browser, page_file, width, scheme):
    context, tab, requests = open_page(
        browser, page_file, viewport={"width": width, "height": 900}, color_scheme=scheme
    )
    try:
        results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.response["passes"], "axe ran no checks"
        assert not results.response["violations"], results.generate_report()
        loaded = [u for u in requests if not u.startswith(("data:", "file:"))]
        assert not loaded, f"the page asked for {loaded}"
    finally:
        context.close()


@pytest.mark.parametrize("width", [320, 640])  # 640: a 1280-pixel window at 200% zoom
def test_the_page_reflows_without_scrolling_sideways(browser, page_file, width):
    context, tab, _ = open_page(browser, page_file, viewport={"width": width, "height": 800})
    try:
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px wide"
        # The chart's words stay readable: at least 9 CSS pixels high.
        height = tab.evaluate(
            "Math.min(...[...document.querySelectorAll('svg text')]"
            ".map(t => t.getBoundingClientRect().height))"
        )
        assert height >= 9, f"chart text is {height}px high at {width}px wide"
    finally:
        context.close()
