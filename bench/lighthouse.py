"""Lighthouse scores of the sample site's home, article, event and brochure pages.

The publish build (absolute URLs at a local address) is served on 127.0.0.1 and each
page is audited with Lighthouse 12.8.2 (bench/lighthouse/package-lock.json, installed
into .cache/lighthouse on first use) in Debian's Chromium, as on a phone (the default).
"""

import functools
import json
import os
import shutil
import socket
import subprocess
import sys
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


def install() -> Path:
    binary = TOOL / "node_modules" / ".bin" / "lighthouse"
    lock = ROOT / "bench" / "lighthouse" / "package-lock.json"
    stamp = TOOL / "package-lock.json"
    if not binary.exists() or not stamp.exists() or stamp.read_bytes() != lock.read_bytes():
        TOOL.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(ROOT / "bench" / "lighthouse" / name, TOOL / name)
        # `npm install` (not `ci`): npm 9 leaves one of lighthouse's optional packages out
        # of the lock file it writes, and `npm ci` then refuses it.
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=TOOL, check=True
        )
    return binary


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scores(tmp: Path) -> dict[str, dict[str, float]]:
    binary = install()
    port = _free_port()
    site = f"http://127.0.0.1:{port}"
    out = tmp / "lh-site"
    extra = {
        "CACHE_PATH": str(tmp / "lh-cache"),
        "ANNOUNCE_STATE_DIR": str(tmp / "lh-announce"),
        "ANNOUNCE_LEDGER": str(tmp / "lh-ledger.json"),
    }
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "pelican"), str(ROOT / "content"), "-o", str(out),
         "-s", str(ROOT / "publishconf.py"),
         "-e", *(f"{k}={json.dumps(v)}" for k, v in extra.items())],  # fmt: skip
        check=True, capture_output=True, cwd=ROOT, env={**os.environ, "SITEURL": site},
    )  # fmt: skip
    handler = functools.partial(_Quiet, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    results = {}
    try:
        for name, path in PAGES.items():
            report = tmp / f"lh-{name}.json"
            subprocess.run(
                [
                    str(binary),
                    f"{site}/{path}",
                    "--output=json",
                    f"--output-path={report}",
                    "--only-categories=" + ",".join(CATEGORIES),
                    "--quiet",
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
                    "--disable-background-networking",
                ],  # fmt: skip
                check=True,
                env={
                    **os.environ,
                    "CHROME_PATH": shutil.which("chromium") or "",
                    "TMPDIR": str(tmp),
                },  # fmt: skip
                capture_output=True,
            )
            data = json.loads(report.read_text())
            results[name] = {c: data["categories"][c]["score"] for c in CATEGORIES}
            results[name]["failed"] = sorted(
                a["id"] for a in data["audits"].values()
                if a.get("score") is not None and a["score"] < 0.9
                and a.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
            )  # fmt: skip
    finally:
        server.shutdown()
    return results


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        json.dump(scores(Path(tmp)), sys.stdout, indent=1)
