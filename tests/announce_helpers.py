"""Building a small site with announcing on, and running `python -m announce` on it."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from conftest import ROOT, SAMPLE, build

sys.path.insert(0, str(ROOT / "plugins"))

CHANNEL_PREFIXES = (
    "MASTODON_",
    "BLUESKY_",
    "WEBHOOK_",
    "EMAIL_",
    "FACEBOOK_",
    "INSTAGRAM_",
    "THREADS_",
    "X_",
    "KIDS_",
    "DEPLOY_",
)
SITEURL = "https://www.riverside-libraries.example"

POSTS = {
    "2026-01-10-old-news.md": """Title: Old news from January
Date: 2026-01-10 10:00 +00:00
Category: News
Tags: opening hours
Summary: Something that happened before announcing was set up.

Text.
""",
    "2026-02-01-rhyme-time.md": """Title: Rhyme Time returns to Northfield
Date: 2026-02-01 09:00 +00:00
Category: Children and families
Tags: Rhyme Time, under fives
Summary: Songs, rhymes and stories for babies and toddlers every Friday from 13 March.
Image: images/story-time.jpg
Image-Alt: A librarian reads a picture book to small children on a rug.

Text.
""",
    "2026-02-15-training-day.md": """Title: Libraries closed for staff training
Date: 2026-02-15 09:00 +00:00
Category: News
Tags: opening hours
Summary: All libraries close on Wednesday 4 March for staff training.
Image: images/riverside-central.jpg

Text.
""",
    "2026-03-01-not-for-social.md": """Title: Internal note
Date: 2026-03-01 09:00 +00:00
Category: News
Announce: no
Summary: Not for social media.

Text.
""",
    "2026-03-05-custom-text.md": """Title: The Summer Reading Challenge 2026
Date: 2026-03-05 09:00 +00:00
Category: Children and families
Tags: Summer Reading Challenge
Announce-Text: Sign up for the Summer Reading Challenge at any library from 11 July!
Summary: Children aged 4 to 11 can read six library books over the summer.

Text.
""",
}
ANNOUNCED = [
    "Rhyme Time returns to Northfield",
    "Libraries closed for staff training",
    "The Summer Reading Challenge 2026",
]


class Workspace:
    """A site, its plan, its ledger and a settings file, all under one temp folder."""

    def __init__(self, tmp: Path, settings: dict | None = None):
        self.tmp = tmp
        self.content = tmp / "content"
        (self.content / "posts").mkdir(parents=True)
        (self.content / "images").mkdir()
        for name in ("story-time.jpg", "riverside-central.jpg"):
            picture(self.content / "images" / name)
        for name, text in POSTS.items():
            (self.content / "posts" / name).write_text(text)
        self.state = tmp / "state"
        self.ledger = tmp / "content" / "announce-ledger.jsonl"
        self.conf = tmp / "conf.py"
        self.authority = f"{uuid.uuid4().hex[:12]}.riverside-libraries.example"
        self.write_settings(settings or {})

    def write_settings(self, settings: dict):
        base = {
            "PATH": str(self.content),
            "THEME": str(ROOT / "theme"),
            "PLUGIN_PATHS": [str(ROOT / "plugins")],
            # The checks plugin would stop the build over the post whose image has no
            # alt text; it is off here to prove the announcer's own guard.
            "PLUGINS": ["feeds", "announce"],
            # Post ids of their own: servers shared between tests remember idempotency keys.
            "FEEDS": {"id_authority": self.authority},
            "ANNOUNCE_LEDGER": str(self.ledger),
            "ANNOUNCE_STATE_DIR": str(self.state),
            "ANNOUNCE_RETRY_DELAY": 0.2,
            "ANNOUNCE_MAX_WAIT": 5,
            "ANNOUNCE_TIMEOUT": 10,
            "ANNOUNCE_LIVE_TIMEOUT": 1,
            # The fixture posts are dated early in 2026; tests of ANNOUNCE_MAX_AGE set it.
            "ANNOUNCE_MAX_AGE": None,
        }
        lines = [f"import sys\nsys.path.insert(0, {str(SAMPLE)!r})\nfrom samplepublish import *\n"]
        lines += [f"{k} = {v!r}\n" for k, v in {**base, **settings}.items()]
        self.conf.write_text("".join(lines))

    def build(self, env=None):
        site = build(
            self.tmp / "build",
            content=self.content,
            publish=True,
            cwd=self.tmp,
            env=clean_env(env),
            settings_file=self.conf,
        )
        assert site.returncode == 0, site.log
        return site

    def announce(self, env=None, command="send", wait=True, extra=()):
        cmd = [sys.executable, "-m", "announce", command, "--settings", str(self.conf), *extra]
        kwargs = dict(
            cwd=self.tmp,
            env=clean_env(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        if not wait:
            return subprocess.Popen(cmd, **kwargs)
        proc = subprocess.run(cmd, timeout=300, **kwargs)
        proc.output = proc.stdout + proc.stderr
        return proc

    def ledger_lines(self):
        return [json.loads(line) for line in self.ledger.read_text().splitlines() if line]

    def read_ledger(self):
        from announce.ledger import Ledger

        return Ledger.load(str(self.ledger), str(self.state), write=False)

    def states(self, channel):
        """{post title: state} for one channel, as the announcer works it out."""
        ledger = self.read_ledger()
        found = {}
        for post_id in ledger.posts():
            state = ledger.status([post_id], channel).state
            if state:
                found[ledger.details(post_id).get("title")] = state
        return found

    def plan(self):
        return json.loads((self.state / "plan.json").read_text())["posts"]


def picture(path: Path, size=(1600, 1000)):
    """A photograph-sized JPEG of the test's own (the sample site's may be gone)."""
    from PIL import Image

    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image.save(path, "JPEG", quality=90)


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10"/></svg>'


def since(ws, date="2026-01-20", **more):
    """Settings for a site whose announcing began on `date` (ANNOUNCE_SINCE)."""
    ws.write_settings({"ANNOUNCE_SINCE": date, **more})


def clean_env(extra=None):
    """The environment without any real channel keys (a developer's own .env or
    shell must never make the tests post for real), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(CHANNEL_PREFIXES)}
    env.update({"SITEURL": SITEURL, "PYTHONPATH": str(ROOT / "plugins"), "COLUMNS": "200"})
    # Set every key empty so python-dotenv never fills one in from a local .env.
    for key in every_channel_key():
        env.setdefault(key, "")
    env["DEPLOY_METHOD"] = ""
    env.update(extra or {})
    return env


def every_channel_key() -> list[str]:
    """Every .env key of every channel the kit has, by its default name."""
    from announce.channels import TYPES
    from announce.config import DEFAULTS, read_config

    return [
        key
        for channel in read_config(DEFAULTS, environ={}).channels
        for key in TYPES[channel.type].env_keys(channel)
    ]


def kill_when(proc, path_fragment):
    def after(path):
        if path_fragment in path and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            time.sleep(0.2)

    return after


def killed_at(ws, env, server, method, path_regex):
    """Run `make announce` against a contract server and kill it (SIGKILL) the moment
    the server has processed `method` on a path matching `path_regex`, before the
    announcer hears back."""
    import re

    proc = ws.announce(env, wait=False)

    def kill(seen_method, path):
        if seen_method == method and re.search(path_regex, path) and proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            time.sleep(0.2)

    server.after = kill
    proc.wait(timeout=120)
    server.after = None
    assert proc.returncode == -signal.SIGKILL


def killed_while_sending(ws, env, proxy, path_fragment):
    """Run `make announce` through `proxy` and kill it (SIGKILL) the moment the server
    has answered `path_fragment`, before the announcer hears back."""
    proc = ws.announce(env, wait=False)
    proxy.after = kill_when(proc, path_fragment)
    proc.wait(timeout=120)
    proxy.after = None
    assert proc.returncode == -signal.SIGKILL
