"""The sample site as readers get it: page weights and Lighthouse scores.

One publish build (absolute URLs at a local address) is served on 127.0.0.1; the home,
an article, an event and a brochure page are weighed (HTML + CSS) and, when Chromium
and npm are here, audited with Lighthouse 12.8.2 (bench/lighthouse/, installed into
.cache/lighthouse on first use) as on a phone (Lighthouse's default).
"""

import contextlib
import functools
import hashlib
import json
import os
import shutil
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / ".cache" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = {
    "home": "",
    "article": "news/2026/februarys-reading-group-pick-the-remains-of-the-day/",
    "event": "news/2026/author-talk-meera-joshi-on-the-river-remembers/",
    "brochure": "brochures/whats-on-winter-2026-to-2027/",
}


@contextlib.contextmanager
def served(tmp: Path):
    """Build the sample site with publishconf.py and serve it: yields (address, folder)."""
    out = tmp / "sample"
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    site = f"http://127.0.0.1:{server.server_address[1]}"
    extra = {
        "CACHE_PATH": str(tmp / "sample-cache"),
        "ANNOUNCE_STATE_DIR": str(tmp / "sample-announce"),
        "ANNOUNCE_LEDGER": str(tmp / "sample-ledger.jsonl"),
    }
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "pelican"), str(ROOT / "content"), "-o", str(out),
         "-s", str(ROOT / "publishconf.py"),
         "-e", *(f"{k}={json.dumps(v)}" for k, v in extra.items())],  # fmt: skip
        check=True, capture_output=True, cwd=ROOT, env={**os.environ, "SITEURL": site},
    )  # fmt: skip
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield site, out
    finally:
        server.shutdown()
        server.server_close()


def weights(out: Path) -> dict[str, tuple[int, int]]:
    """(HTML bytes, CSS bytes) of each page."""
    css = (out / "theme" / "css" / "site.css").stat().st_size
    return {name: ((out / path / "index.html").stat().st_size, css) for name, path in PAGES.items()}


def can_audit() -> bool:
    return bool(shutil.which("chromium") and shutil.which("npm"))


def scores(site: str, tmp: Path) -> dict[str, dict[str, float]]:
    binary = _install()
    env = {**os.environ, "CHROME_PATH": shutil.which("chromium"), "TMPDIR": str(tmp)}
    results = {}
    for name, path in PAGES.items():
        report = tmp / f"lighthouse-{name}.json"
        subprocess.run(
            [str(binary), f"{site}/{path}", "--output=json", f"--output-path={report}",
             "--only-categories=" + ",".join(CATEGORIES), "--quiet",
             "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
             "--disable-background-networking"],  # fmt: skip
            check=True, env=env, capture_output=True,
        )  # fmt: skip
        data = json.loads(report.read_text())
        results[name] = {c: data["categories"][c]["score"] for c in CATEGORIES}
    return results


def _install() -> Path:
    """Lighthouse at the version in bench/lighthouse/, reinstalled when that changes."""
    source = ROOT / "bench" / "lighthouse"
    binary = TOOL / "node_modules" / ".bin" / "lighthouse"
    stamp = TOOL / ".installed-from"
    wanted = hashlib.sha256(
        b"".join((source / n).read_bytes() for n in ("package.json", "package-lock.json"))
    ).hexdigest()
    if binary.exists() and stamp.exists() and stamp.read_text() == wanted:
        return binary
    TOOL.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(source / name, TOOL / name)
    # `npm install` (not `ci`): npm 9 leaves one of lighthouse's optional packages out of
    # the lock file it writes, and `npm ci` then refuses it. npm rewrites the copied lock,
    # so the stamp (not the lock) records what was installed.
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=TOOL, check=True)
    stamp.write_text(wanted)
    return binary


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
