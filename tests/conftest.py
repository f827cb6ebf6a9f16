"""Shared fixtures: real Pelican builds of the sample site into temporary folders."""

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
# The sample library, frozen: its content and identity. The tests build this, never the
# checkout's content/ (a library's own), so `make test` checks the kit for any library.
SAMPLE = ROOT / "tests" / "sample"
SAMPLE_CONTENT = SAMPLE / "content"
SAMPLE_SETTINGS = SAMPLE / "sampleconf.py"
SAMPLE_PUBLISH_SETTINGS = SAMPLE / "samplepublish.py"
SITEURL = "https://www.riverside-libraries.example"
# The real servers of the announce tests (Mastodon, Bluesky, SMTP, webhooks).
pytest_plugins = ["announce_fixtures"]


@dataclass
class Build:
    returncode: int
    output: Path
    log: str

    def html(self, relpath: str) -> BeautifulSoup:
        return BeautifulSoup((self.output / relpath).read_text(encoding="utf-8"), "html.parser")

    def pages(self):
        """Every HTML file written, relative to the output folder."""
        return sorted(p.relative_to(self.output).as_posix() for p in self.output.rglob("*.html"))


def build(
    tmp: Path, *, content: Path = SAMPLE_CONTENT, publish=False, cwd=ROOT, env=None,
    extra=None, settings_file=None, verbose=False,
):  # fmt: skip
    """Build `content` with the kit's own settings and the sample library's identity,
    the way the Makefile does.

    `extra` overrides settings ({"FEED_MAX_ITEMS": 3}), as `pelican -e` does;
    `verbose` logs what is made and reused too (`pelican -v`, with the rich handler: the
    plain one prints only warnings and errors).
    """
    output, cache = tmp / "output", tmp / "cache"
    settings = settings_file or (SAMPLE_PUBLISH_SETTINGS if publish else SAMPLE_SETTINGS)
    overrides = {"CACHE_PATH": str(cache)}
    if publish and settings_file is None:
        # Announcement plans go to the temp folder, never the checkout's .announce/.
        overrides["ANNOUNCE_STATE_DIR"] = str(tmp / "announce")
        overrides["ANNOUNCE_LEDGER"] = str(tmp / "announce-ledger.jsonl")
        # A first run announcing the whole archive: the plan lists every post.
        overrides["ANNOUNCE_SINCE"] = "2000-01-01"
        overrides["ANNOUNCE_MAX_AGE"] = None
    overrides.update(extra or {})
    cmd = [sys.executable, "-m", "pelican", str(content), "-o", str(output), "-s", str(settings),
           "--log-handler", "rich" if verbose else "plain"]  # fmt: skip
    # One -e with every pair: pelican keeps only the last -e it is given.
    cmd += ["-e", *(f"{key}={json.dumps(value)}" for key, value in overrides.items())]
    if publish:
        cmd += ["--fatal", "errors"]
    if verbose:
        cmd += ["-v"]
    run_env = {**os.environ, "SITEURL": SITEURL, "COLUMNS": "200", **(env or {})}
    proc = subprocess.run(cmd, cwd=cwd, env=run_env, capture_output=True, text=True, timeout=300)
    return Build(proc.returncode, output, proc.stdout + proc.stderr)


# Every deploy setting, empty: in a test, a library's own .env never fills one in.
NO_DEPLOY = dict.fromkeys(("DEPLOY_METHOD", "DEPLOY_RSYNC_TARGET", "DEPLOY_GHP_REMOTE",
                           "DEPLOY_GHP_BRANCH", "DEPLOY_GHP_CNAME"), "")  # fmt: skip


def run_deploy(output: Path, env: dict, *args, cwd=ROOT, path=None):
    """`make deploy` (scripts/deploy.py) of `output` with only the deploy settings in `env`."""
    run_env = {**os.environ, **NO_DEPLOY, **env, **({"PATH": path} if path is not None else {})}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "deploy.py"), *args, str(output)],
        cwd=cwd, env=run_env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def run_check(content: Path, cwd: Path, *, settings: str = "", env=None):
    """`make check` on `content`: the checks command with the sample's settings pointed at
    it, plus `settings` (lines of Python) and `env`."""
    conf = cwd / "checkconf.py"
    conf.write_text(
        f"import sys\nsys.path.insert(0, {str(SAMPLE)!r})\nfrom sampleconf import *\n"
        f"PATH = {str(content)!r}\nCACHE_PATH = {str(cwd / 'cache')!r}\n"
        f"ANNOUNCE_LEDGER = {str(cwd / 'announce-ledger.jsonl')!r}\n{settings}"
    )
    run_env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "checks", "--settings", str(conf)],
        cwd=cwd, env=run_env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="session")
def dev_site(tmp_path_factory):
    site = build(tmp_path_factory.mktemp("dev"))
    assert site.returncode == 0, site.log
    return site


@pytest.fixture(scope="session")
def publish_site(tmp_path_factory):
    site = build(tmp_path_factory.mktemp("publish"), publish=True)
    assert site.returncode == 0, site.log
    return site


@contextlib.contextmanager
def serve_publish_build(tmp: Path, extra=None):
    """A publish build served over HTTP on 127.0.0.1, with SITEURL set to that server:
    yields (address, Build)."""
    handler = functools.partial(QuietHandler, directory=str(tmp / "output"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    site = build(tmp, publish=True, env={"SITEURL": url}, extra=extra)
    assert site.returncode == 0, site.log
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url, site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def served_build(tmp_path_factory):
    """The site as readers get it, absolute URLs and 404 page included: (address, Build)."""
    with serve_publish_build(tmp_path_factory.mktemp("served")) as served:
        yield served


@pytest.fixture(scope="session")
def served_site(served_build):
    """The address of the site as readers get it."""
    return served_build[0]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        # Serve the site's own 404 page, as a web server configured for it would.
        if code == 404 and (Path(self.directory) / "404.html").exists():
            body = (Path(self.directory) / "404.html").read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().send_error(code, message, explain)


def sample_sources(kind: str):
    """Front matter of every sample file under content/<kind>, as {path: {key: value}}."""
    found = {}
    for path in sorted((SAMPLE_CONTENT / kind).glob("*.md")):
        meta = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                break
            key, _, value = line.partition(":")
            meta[key.strip().lower()] = value.strip()
        found[path] = meta
    return found


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser():
    if not shutil.which("chromium") and not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: run `apt-get install chromium`")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
