"""Builds sharing an output folder take turns: `make html` while `make serve` is
rebuilding waits for it (once, two builds wrote the same resized picture at once and
one read it half-written), and `make serve` lets go between rebuilds, a failed one
included. Real concurrent builds of a tiny site; a small test plugin holds a build
half-way until the test lets it go, so nothing depends on timing."""

import fcntl
import json
import os
import runpy
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_SETTINGS, build
from test_build_identity import assert_same_site
from tiny_site import settings, write_site

sys.path.insert(0, str(ROOT / "plugins"))
from incremental.lock import lock_path, output_lock  # noqa: E402

PLUGINS = runpy.run_path(str(SAMPLE_SETTINGS))["PLUGINS"]
WAITING = "Another build is writing to"
# A build holds here (after writing its first page) until the test lets it go, and
# fails when a post is called "Boom": what a half-finished or crashing build does.
TEST_PLUGIN = """
import os, time
from pelican import signals

def hold(path, context):
    folder = context.get("HOLD_DIR")
    if not folder or os.path.exists(os.path.join(folder, "holding")):
        return
    open(os.path.join(folder, "holding"), "w").close()
    for _ in range(3000):
        if os.path.exists(os.path.join(folder, "release")):
            return
        time.sleep(0.1)

def boom(generators):
    if any(a.title == "Boom" for a in generators[0].context.get("articles", [])):
        raise RuntimeError("a build that fails half-way")

def register():
    signals.content_written.connect(hold)
    signals.all_generators_finalized.connect(boom)
"""


def pelican(folder: Path, content: Path, extra: dict, *options, log: Path,
            module="pelican") -> subprocess.Popen:  # fmt: skip
    """`pelican` (or `make serve`'s `preview`) as the Makefile runs it, in the background,
    its output in `log`."""
    overrides = {"CACHE_PATH": str(folder / "cache"), **extra}
    cmd = [sys.executable, "-m", module, str(content), "-o", str(folder / "output"),
           "-s", str(SAMPLE_SETTINGS), "--log-handler", "plain", *options,
           "-e", *(f"{k}={json.dumps(v)}" for k, v in overrides.items())]  # fmt: skip
    with open(log, "w") as out:
        return subprocess.Popen(cmd, cwd=content.parent, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "COLUMNS": "200",
                                     "PYTHONPATH": str(ROOT / "plugins")})  # fmt: skip


def wait_until(condition, what, process=None, limit=240):
    """Poll for `condition`; a generous limit only so a broken build cannot hang the
    suite (nothing here is timed)."""
    for _ in range(limit * 10):
        if condition():
            return
        if process is not None and process.poll() is not None:
            pytest.fail(f"the build ended (code {process.returncode}) before {what}")
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


@pytest.fixture
def site(tmp_path):
    content = write_site(tmp_path)
    (tmp_path / "testplugins" / "holder").mkdir(parents=True)
    (tmp_path / "testplugins" / "holder" / "__init__.py").write_text(TEST_PLUGIN)
    (tmp_path / "hold").mkdir()
    extra = settings(tmp_path, PLUGIN_PATHS=[str(ROOT / "plugins"), str(tmp_path / "testplugins")],
                     PLUGINS=[*PLUGINS, "holder"])  # fmt: skip
    return tmp_path, content, extra


def test_a_second_build_waits_for_the_first_then_builds(site):
    tmp, content, extra = site
    shared = tmp / "shared"  # one output folder, as `make html` and `make serve` share
    first = pelican(shared, content, {**extra, "HOLD_DIR": str(tmp / "hold")},
                    log=tmp / "first.log")  # fmt: skip
    second = None
    try:
        wait_until(lambda: (tmp / "hold" / "holding").exists(), "the first build wrote", first)
        lock = shared / ".output.lock"
        assert lock.exists() and f"process {first.pid}" in lock.read_text()
        before = {p: p.stat().st_mtime_ns for p in (shared / "output").rglob("*")}
        second = pelican(shared, content, extra, log=tmp / "second.log")
        said = lambda: WAITING in (tmp / "second.log").read_text()  # noqa: E731
        wait_until(said, "the second build said it waits", second)
        message = next(ln for ln in (tmp / "second.log").read_text().splitlines() if WAITING in ln)
        assert "output" in message and f"process {first.pid}" in message, message
        # While it waits it writes nothing: the output is as the first build left it.
        assert {p: p.stat().st_mtime_ns for p in (shared / "output").rglob("*")} == before
        assert second.poll() is None
        (tmp / "hold" / "release").touch()
        assert first.wait(timeout=300) == 0, (tmp / "first.log").read_text()
        assert second.wait(timeout=300) == 0, (tmp / "second.log").read_text()
    finally:
        (tmp / "hold" / "release").touch()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    assert not list(shared.glob(".output.lock*"))  # removed by the last build to finish
    assert not list((shared / "output").rglob("*.lock"))
    clean = build(tmp / "clean", content=content, extra=extra, cwd=tmp)
    assert clean.returncode == 0, clean.log
    assert_same_site(shared / "output", clean.output)


def test_make_serve_lets_go_between_rebuilds_and_after_a_failed_one(site):
    tmp, content, extra = site
    shared = tmp / "shared"
    serve = pelican(shared, content, extra, log=tmp / "serve.log", module="preview")
    log = lambda: (tmp / "serve.log").read_text()  # noqa: E731
    try:
        wait_until(lambda: log().count("Done:") == 1, "`make serve` built the site", serve)
        # `make serve` waits for changes: a build now runs at once.
        html = build(shared, content=content, extra=extra, cwd=tmp)
        assert html.returncode == 0 and WAITING not in html.log, html.log
        # A rebuild that fails half-way lets go of the lock, and the preview waits for
        # the next save.
        (content / "posts" / "boom.md").write_text("Title: Boom\nDate: 2026-03-20\n\nBoom.\n")
        wait_until(lambda: "Caught exception" in log(), "the rebuild failed", serve)
        assert "a build that fails half-way" in log()
        html = build(shared, content=content, extra={**extra, "PLUGINS": PLUGINS}, cwd=tmp)
        assert html.returncode == 0, html.log
        assert (shared / "output" / "news/2026/boom/index.html").exists()
        # The same process takes it again for each rebuild, and lets go after it.
        (content / "posts" / "boom.md").unlink()
        wait_until(lambda: log().count("Done:") == 2, "`make serve` built again", serve)
        html = build(shared, content=content, extra=extra, cwd=tmp)
        assert html.returncode == 0 and WAITING not in html.log, html.log
        assert not list(shared.glob(".output.lock*"))
    finally:
        serve.terminate()
        serve.wait(timeout=60)


def test_the_lock_is_reentrant_and_let_go_when_a_build_raises(tmp_path):
    output = tmp_path / "output"
    path = Path(lock_path(str(output)))
    assert path == tmp_path / ".output.lock"

    def taken_by_another() -> bool:
        """Whether another open file (as another build has) could not lock it now."""
        if not path.exists():
            return False
        fd = os.open(path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return False
        except BlockingIOError:
            return True
        finally:
            os.close(fd)

    with pytest.raises(RuntimeError), output_lock(str(output)):
        assert taken_by_another()
        with output_lock(str(output)):  # a build inside a build: no waiting for itself
            assert taken_by_another()
        assert taken_by_another()  # still held by the outer one
        raise RuntimeError("the build failed")
    assert not taken_by_another() and not path.exists()
