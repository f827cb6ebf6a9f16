"""`make serve` (`python -m preview`): every save shows, whenever it is made.

Pelican's own autoreload makes a new file watcher after each build, so a save made
during a build, or just after "Done:" (while the kit still works, or while the new
watcher sets itself up on a large site) was never seen until the next save. These
tests run the preview on a tiny site of their own (Pelican's default theme, no kit
plugin) and read its pages over HTTP. A probe plugin in the site's own plugin folder
makes each awkward moment last until the test has saved: it holds a build in
`finalized` (where the search plugin runs Pagefind), or just after "Done:" is printed,
while a file `hold-<moment>` is in the probe folder, and says so with `held-<moment>`.
So nothing depends on timing; the waits are generous limits only.

Each test fails on Pelican's own autoreload: run them against it with
`PREVIEW_UNDER_TEST=pelican .venv/bin/python -m pytest tests/test_preview.py`.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

UNDER_TEST = os.environ.get("PREVIEW_UNDER_TEST", "preview")
LIMIT = 60  # seconds: only so that a broken preview cannot hang the suite

PROBE = '''
import os, time

from pelican import signals
from pelican.log import console

FOLDER = []
_print = console.print


BUILDS = [0]


def hold(moment):
    """If `hold-<moment>` is there and names this build or an earlier one: take it, say
    `held-<moment>`, and wait for `release-<moment>`."""
    ask = os.path.join(FOLDER[0], f"hold-{moment}") if FOLDER else ""
    if not ask or not os.path.exists(ask):
        return
    with open(ask) as f:
        if BUILDS[0] < int(f.read()):
            return
    os.remove(ask)
    open(os.path.join(FOLDER[0], f"held-{moment}"), "w").close()
    release = os.path.join(FOLDER[0], f"release-{moment}")
    for _ in range(3000):
        if os.path.exists(release):
            os.remove(release)
            return
        time.sleep(0.1)


def print_then_hold(*objects, **kwargs):
    _print(*objects, **kwargs)
    if objects and str(objects[0]).startswith("Done:"):
        hold("done")


def note(pelican):
    FOLDER[:] = [pelican.settings["PROBE_DIR"]]
    console.print = print_then_hold


def started(pelican):
    BUILDS[0] += 1
    with open(os.path.join(FOLDER[0], "builds"), "a") as f:
        f.write("build\\n")
    hold("start")


def boom(generator):
    if any(a.title == "Boom" for a in generator.articles):
        raise RuntimeError("a post called Boom")


def finalized(pelican):
    hold("finalized")


def register():
    signals.initialized.connect(note)
    signals.get_generators.connect(started)
    signals.article_generator_finalized.connect(boom)
    signals.finalized.connect(finalized)
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    """A tiny site in `tmp`, and `make serve` running on it."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.content = tmp / "content"
        self.content.mkdir()
        self.probe = tmp / "probe"
        self.probe.mkdir()
        (tmp / "plugins" / "probe").mkdir(parents=True)
        (tmp / "plugins" / "probe" / "__init__.py").write_text(PROBE)
        for slug in ("first", "second"):
            self.save(slug, f"The {slug} post, as it was.")
        self.conf = tmp / "siteconf.py"
        self.conf.write_text(
            'AUTHOR = "Preview test"\nSITENAME = "Preview test"\nTIMEZONE = "UTC"\n'
            f'DEFAULT_LANG = "en"\nPATH = {str(self.content)!r}\n'
            f"PLUGIN_PATHS = [{str(tmp / 'plugins')!r}]\nPLUGINS = ['probe']\n"
            f"PROBE_DIR = {str(self.probe)!r}\nCACHE_PATH = {str(tmp / 'cache')!r}\n"
            "RELATIVE_URLS = True\nSTATIC_PATHS = []\nFEED_ALL_ATOM = None\n"
            "CATEGORY_FEED_ATOM = None\n"
        )
        self.port = free_port()
        self.log = tmp / "serve.log"
        self.process = None

    def save(self, slug: str, text: str, title: str | None = None):
        (self.content / f"{slug}.md").write_text(
            f"Title: {title or slug.title()}\nDate: 2026-03-02 10:00\nSlug: {slug}\n\n{text}\n"
        )

    def start(self, hold=(), ignoring=False):
        """`make serve`, holding its first build at each moment in `hold`."""
        for moment in hold:
            self.ask(moment, 1)
        options = ["--autoreload"] if UNDER_TEST == "pelican" else []
        module = "pelican" if UNDER_TEST == "pelican" else "preview"
        cmd = [sys.executable, "-m", module, str(self.content), "-o", str(self.tmp / "output"),
               "-s", str(self.conf), "--listen", "--port", str(self.port),
               "--bind", "127.0.0.1", "--log-handler", "plain", *options]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "COLUMNS": "200",
               "PYTHONUNBUFFERED": "1"}  # fmt: skip
        # As a script run in the background starts it (and as CI once did): Ctrl-C
        # ignored by whatever started the preview; it must stop on Ctrl-C all the same.
        ignore = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignoring else None
        with open(self.log, "w") as out:
            self.process = subprocess.Popen(cmd, cwd=self.tmp, stdout=out, preexec_fn=ignore,
                                            stderr=subprocess.STDOUT, env=env)  # fmt: skip

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def builds(self) -> int:
        path = self.probe / "builds"
        return len(path.read_text().splitlines()) if path.exists() else 0

    def page(self, slug: str) -> str:
        """The page as the preview serves it, or "" while it cannot."""
        try:
            url = f"http://127.0.0.1:{self.port}/{slug}.html"
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode()
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError):
            return ""  # HTTPException: IncompleteRead, a page read while a full build rewrote it

    def ask(self, moment: str, build: int):
        """Hold build number `build` (or the next one to get there) at `moment`."""
        (self.probe / f"hold-{moment}").write_text(str(build))

    def held(self, moment: str):
        self.wait(lambda: (self.probe / f"held-{moment}").exists(), f"a build held at {moment}")
        (self.probe / f"held-{moment}").unlink()

    def release(self, moment: str):
        (self.probe / f"release-{moment}").touch()

    def wait(self, condition, what: str):
        deadline = time.monotonic() + LIMIT
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                pytest.fail(f"the preview ended (code {self.process.returncode}) before "
                            f"{what}:\n{self.output()}")  # fmt: skip
            time.sleep(0.1)
        pytest.fail(f"gave up after {LIMIT} s waiting for {what}:\n{self.output()}")

    def ready(self):
        """The first build is done and served."""
        self.wait(lambda: "Done:" in self.output(), 'the first "Done:"')
        self.shows("first", "as it was")

    def shows(self, slug: str, text: str):
        self.wait(lambda: text in self.page(slug), f"{slug}.html served with {text!r}")

    def stop(self):
        """Ctrl-C: the preview stops at once and cleanly, its port closed."""
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=LIMIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"Ctrl-C did not stop the preview:\n{self.output()}")
        assert code == 0, self.output()
        assert "Traceback" not in self.output(), self.output()
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", self.port)) != 0, "still serving after Ctrl-C"


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    if site.process is not None and site.process.poll() is None:
        for moment in ("start", "finalized", "done"):
            site.release(moment)
        site.stop()


def test_a_save_while_the_preview_starts_shows(site):
    # The first build is held half-way: the save is made before any "Done:".
    site.start(hold=["finalized"])
    site.held("finalized")
    site.save("first", "Saved while the preview was starting.")
    site.release("finalized")
    site.shows("first", "Saved while the preview was starting.")
    assert "-> Modified:" in site.output() and "first.md" in site.output()
    # And a save once it is idle.
    site.save("second", "Saved while the preview waited.")
    site.shows("second", "Saved while the preview waited.")


def test_a_save_during_a_rebuild_shows(site):
    site.start()
    site.ready()
    site.ask("finalized", 2)
    site.save("first", "First save.")
    site.held("finalized")  # the rebuild is where the search plugin runs Pagefind
    assert "First save." in site.page("first")
    site.save("second", "Saved during the rebuild.")
    site.release("finalized")
    site.shows("second", "Saved during the rebuild.")


def test_a_save_just_after_done_shows(site):
    site.start()
    site.ready()
    site.ask("done", 2)
    site.save("first", "First save.")
    site.held("done")  # "Done:" is printed; the preview has not looked for changes yet
    assert site.output().count("Done:") == 2
    site.save("first", "Saved just after Done.")
    site.release("done")
    site.shows("first", "Saved just after Done.")


def test_a_build_that_fails_keeps_the_preview_and_the_next_save_builds(site):
    site.start()
    site.ready()
    assert site.builds() == 1
    site.save("boom", "This post breaks the build.", title="Boom")
    site.wait(lambda: "a post called Boom" in site.output(), "the rebuild failed")
    # The last good build is still served...
    assert "as it was" in site.page("first")
    # ...and the failed build is not tried again and again: the next save builds.
    site.save("boom", "Fixed.", title="Not boom any more")
    site.shows("boom", "Fixed.")
    assert site.process.poll() is None
    assert site.builds() == 3, site.output()  # the first, the failed one, the fixed one


def test_the_settings_saved_again_and_again_as_editors_save_are_read_each_time(site):
    """Editors save by writing a new file and renaming it over the old one: the settings
    file is still watched after that (it is watched through its folder)."""
    site.start()
    site.ready()
    settings = site.conf.read_text()
    for name in ("Riverside preview", "Northfield preview"):
        new = site.conf.with_name("siteconf.py.new")
        new.write_text(settings.replace('SITENAME = "Preview test"', f"SITENAME = {name!r}"))
        os.replace(new, site.conf)
        site.shows("first", name)
    assert "siteconf.py" in site.output().split("-> Modified:")[-1]


def test_a_port_in_use_stops_the_preview_saying_how_to_fix_it(site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", site.port))
        taken.listen()
        site.start()
        try:
            code = site.process.wait(timeout=LIMIT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the preview went on without its web server:\n{site.output()}")
    assert code == 1, site.output()
    assert f"127.0.0.1:{site.port} stopped" in site.output()
    assert "make serve PORT=8080" in site.output()


def test_stopped_by_sigterm_the_preview_takes_its_web_server_with_it(site):
    site.start()
    site.ready()
    site.process.terminate()
    code = site.process.wait(timeout=LIMIT)
    assert code == 0, site.output()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", site.port)) != 0, "the web server outlived the preview"


def test_settings_saved_half_written_are_read_again_at_the_next_save(site):
    site.start()
    site.ready()
    settings = site.conf.read_text()
    site.conf.write_text(settings + "SITENAME = (\n")  # a syntax error, mid-edit
    site.wait(lambda: "Cannot read the settings in" in site.output(), "the settings error")
    assert "siteconf.py" in site.output().split("Cannot read the settings in")[-1]
    assert "as it was" in site.page("first")  # the last build is still served
    site.conf.write_text(settings.replace('SITENAME = "Preview test"', 'SITENAME = "Fixed"'))
    site.shows("first", "Fixed")


def test_ctrl_c_stops_a_preview_started_with_ctrl_c_ignored(site):
    site.start(ignoring=True)
    site.ready()
    site.stop()  # Ctrl-C: stops at once, exit 0, port closed
