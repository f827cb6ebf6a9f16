"""`make bench`: whole builds of N generated library posts against a plugin-free Pelican,
timed and weighed, then the sample site's pages weighed and scored by Lighthouse.

    python bench/build.py [N ...] [--runs 3]          # default N = 1000 5000

The baseline is Pelican 4.12 from the kit's own virtualenv with `PLUGINS = []`: without
it, Pelican loads every namespace plugin installed there (image-process, sitemap). The
bench prints the plugins each side loaded. For each N, RUNS times in turn (so a noisy
machine slows every variant alike), each build its own process:

  bare      plugin-free Pelican, default theme, built-in feeds, from nothing;
  cold      the kit, every plugin on, nothing cached (empty output and cache);
  restored  the kit into an empty output with the cache kept and every source file's
            time changed: a CI publish from a fresh clone with `.cache/` restored;
  no change the kit again, nothing changed (`make html` twice);
  one edit  the kit after one line of one post changed;
  preview   `make serve`'s preview: from saving a post (a line of its text; its title;
            a new post) to the preview saying "Done:" with that page served updated;
  Hugo      Debian's `hugo`, the same posts, when it is installed.

Wall time, CPU time (every process of the build), peak memory (max RSS of the largest
process) and HTML pages written per second; medians. Targets are ratios to bare Pelican.
"""

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sample  # noqa: E402
from posts import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PELICAN = str(ROOT / ".venv" / "bin" / "pelican")
# Runs a command; reports its wall time, CPU time and peak memory.
MEASURE = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - t
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": use.ru_utime + use.ru_stime, "peak_kib": use.ru_maxrss,
                  "code": done.returncode, "err": (done.stdout + done.stderr)[-800:]}))
"""
BARE = """
PATH = {content!r}
ARTICLE_PATHS = ["posts"]
STATIC_PATHS = ["images"]
TIMEZONE = "Europe/London"
SITENAME = "Bench"
SITEURL = "https://bench.example"
FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{{slug}}.atom.xml"
DEFAULT_PAGINATION = 10
PLUGINS = []  # without this, Pelican loads every namespace plugin in the venv
"""
# Which plugins a settings file makes Pelican load (Pelican.plugins, after init_plugins).
PLUGINS_LOADED = """
import json, sys
from pelican import Pelican
from pelican.settings import read_settings
pelican = Pelican(read_settings(sys.argv[1], override=json.loads(sys.argv[2])))
print(json.dumps([p.__name__ for p in pelican.plugins]))
"""
HUGO_CONFIG = """baseURL = "https://bench.example/"
title = "Bench"
disableKinds = ["RSS"]
paginate = 10
[taxonomies]
  category = "categories"
  tag = "tags"
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": "<!DOCTYPE html><html lang=en><head><title>{{ .Title }}</title>"
    '</head><body><main>{{ block "main" . }}{{ end }}</main></body></html>',
    "_default/single.html": '{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}',
    "_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}'
    '<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>{{ .Summary }}{{ end }}{{ end }}',
}
# The targets of issue 18, as ratios to bare Pelican's cold build (memory: peak RSS).
TARGETS = {
    "restored": 1.0,
    "no change": 0.03,
    "preview, text": 0.05,
    "preview, title": 0.1,
    "preview, new post": 0.1,
}
MEMORY_TARGET = 1.5


def measure(cmd, cwd=ROOT) -> dict:
    out = subprocess.run([PY, "-c", MEASURE, *cmd], cwd=cwd, capture_output=True, text=True)
    result = json.loads(out.stdout)
    if result["code"] != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed: {result['err']}")
    return result


def plugins_loaded(settings_file, overrides=None) -> list[str]:
    out = subprocess.run(
        [PY, "-c", PLUGINS_LOADED, str(settings_file), json.dumps(overrides or {})],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def hugo_site(content: Path, folder: Path) -> Path:
    """The same posts for Hugo: YAML front matter, images under static/."""
    (folder / "content" / "posts").mkdir(parents=True)
    shutil.copytree(content / "images", folder / "static" / "images")
    (folder / "hugo.toml").write_text(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        (folder / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "layouts" / name).write_text(text)
    for post in (content / "posts").glob("*.md"):
        head, _, body = post.read_text().partition("\n\n")
        meta = dict(line.split(": ", 1) for line in head.splitlines())
        tags = [t.strip() for t in meta.get("Tags", "").split(",") if t.strip()]
        date = meta["Date"].replace(" +00:00", "").replace(" ", "T") + ":00Z"
        front = [
            "---",
            f"title: {json.dumps(meta['Title'])}",
            f"date: {date}",
            f"categories: [{json.dumps(meta['Category'])}]",
            f"tags: {json.dumps(tags)}",
            f"summary: {json.dumps(meta.get('Summary', ''))}",
            "---",
            "",
        ]
        body = body.replace("{static}/", "/")
        (folder / "content" / "posts" / post.name).write_text("\n".join(front) + body)
    return folder


class Preview:
    """`make serve`'s command on the bench site: saves a file, times until the preview
    has rebuilt (its "Done:" line) and serves the page with the change."""

    def __init__(self, content: Path, out: Path, cache: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.out = out
        self.lines = []
        self.done = threading.Condition()
        self.proc = subprocess.Popen(
            [*serve_command(content, out, cache), "--port", str(self.port)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        threading.Thread(target=self._read, daemon=True).start()
        self._wait_done(0, timeout=1800)

    def _read(self):
        for line in self.proc.stdout:
            with self.done:
                self.lines.append(line)
                self.done.notify_all()

    def _dones(self):
        return sum(1 for line in self.lines if line.startswith("Done:"))

    def _wait_done(self, seen, timeout=600):
        with self.done:
            if not self.done.wait_for(lambda: self._dones() > seen, timeout):
                raise RuntimeError("preview: no rebuild:\n" + "".join(self.lines[-20:]))

    def save(self, path: Path, text: str, number: int, expect: str) -> float:
        """Seconds from writing `text` to `path` to the rebuild being done and the page
        of post `number` served with `expect` in it."""
        with self.done:
            seen = self._dones()
        started = time.perf_counter()
        path.write_text(text, encoding="utf-8")
        self._wait_done(seen)
        while True:
            with contextlib.suppress(OSError, RuntimeError, http.client.HTTPException):
                url = f"http://127.0.0.1:{self.port}/{page_of(self.out, number)}"
                if expect in urllib.request.urlopen(url).read().decode():
                    return time.perf_counter() - started
            if time.perf_counter() - started > 600:
                raise RuntimeError(f"preview: post {number} never showed {expect!r}")
            time.sleep(0.02)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)


def serve_command(content, out, cache):
    """`make serve`'s command (the Makefile's serve target)."""
    return [PY, "-m", "preview", str(content), "-o", str(out), "-s", str(ROOT / "pelicanconf.py"),
            "-e", f'CACHE_PATH="{cache}"', "--log-handler", "plain", "--listen",
            "--bind", "127.0.0.1"]  # fmt: skip


def page_of(out: Path, number: int) -> str:
    """The output path of generated post `number` (its title ends "(number)")."""
    found = [p for p in (out / "news").glob(f"*/*-{number}/index.html")]
    if len(found) != 1:
        raise RuntimeError(f"post {number}: {found}")
    return found[0].relative_to(out).as_posix()


def previews(content: Path, tmp: Path, n: int) -> dict[str, float]:
    out, cache = tmp / "preview-out", tmp / "preview-cache"
    posts = sorted((content / "posts").glob("*.md"))
    edited = posts[n // 3]
    number = int(re.search(r"-(\d+)\.md$", edited.name).group(1))
    original = edited.read_text()
    preview = Preview(content, out, cache)
    try:
        times = {}
        text = original + "\nA line added in the preview.\n"
        times["preview, text"] = preview.save(edited, text, number, "A line added in the preview")
        title = re.search(r"^Title: (.*)$", original, re.M).group(1)
        renamed = text.replace(f"Title: {title}", f"Title: Renamed {title}", 1)
        times["preview, title"] = preview.save(edited, renamed, number, f"Renamed {title}")
        new = content / "posts" / "9999-01-01-new.md"
        new_post = original.replace(f"Title: {title}", "Title: A new post (99999)", 1)
        new_post = re.sub(r"^Date: \d{4}", "Date: 2026", new_post, count=1, flags=re.M)
        times["preview, new post"] = preview.save(new, new_post, 99999, "A new post (99999)")
        new.unlink()
        edited.write_text(original)
        return times
    finally:
        preview.stop()
        with contextlib.suppress(FileNotFoundError):
            (content / "posts" / "9999-01-01-new.md").unlink()
        edited.write_text(original)
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


def run_size(n, runs, tmp: Path, preview=True):
    content = generate(n, tmp / "content")
    (tmp / "bare.py").write_text(BARE.format(content=str(content)))
    hugo = shutil.which("hugo")
    if hugo:
        hugo_site(content, tmp / "hugo")
    samples = {}
    count = {}
    out, cache = tmp / "kit-out", tmp / "kit-cache"
    kit = [PELICAN, str(content), "-o", str(out), "-s", str(ROOT / "pelicanconf.py"),
           "-e", f'CACHE_PATH="{cache}"', "--log-handler", "plain"]  # fmt: skip
    edited = sorted((content / "posts").glob("*.md"))[n // 2]
    original = edited.read_text()

    def add(name, result, folder=None):
        samples.setdefault(name, []).append(result)
        if folder is not None:
            count[name] = pages(folder)

    for run in range(runs):
        bare_out = tmp / "bare-out"
        add("bare", measure([PELICAN, str(content), "-o", str(bare_out),
                             "-s", str(tmp / "bare.py")]), bare_out)  # fmt: skip
        for folder in (out, cache):
            shutil.rmtree(folder, ignore_errors=True)
        add("cold", measure(kit), out)
        shutil.rmtree(out)
        for path in content.rglob("*"):
            if path.is_file():
                os.utime(path)  # a fresh clone: every file time is new
        add("restored", measure(kit), out)
        add("no change", measure(kit))
        edited.write_text(original + f"\nAn edit for run {run}.\n")
        add("one edit", measure(kit))
        edited.write_text(original)
        if hugo:
            hugo_out = tmp / "hugo-out"
            add("Hugo", measure([hugo, "--quiet", "-s", str(tmp / "hugo"), "-d", str(hugo_out)]),
                hugo_out)  # fmt: skip
            shutil.rmtree(hugo_out)
        shutil.rmtree(bare_out)
        for name, seconds in (previews(content, tmp, n) if preview else {}).items():
            samples.setdefault(name, []).append({"wall": seconds})
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
    return {
        name: {
            "wall": statistics.median(s["wall"] for s in found),
            "cpu": statistics.median(s["cpu"] for s in found) if "cpu" in found[0] else None,
            "peak": max(s["peak_kib"] for s in found) / 1024 if "peak_kib" in found[0] else None,
            "pages": count.get(name),
        }
        for name, found in samples.items()
    }


def report(n, results):
    bare = results["bare"]
    print(f"\n### {n:,} posts\n")
    print("| build | wall | CPU | peak memory | pages/s | / bare (wall) | / bare (CPU) "
          "| memory / bare | target |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        ratio = r["wall"] / bare["wall"]
        target = TARGETS.get(name)
        if name == "cold":
            met = r["peak"] <= MEMORY_TARGET * bare["peak"]
            verdict = f"memory <= {MEMORY_TARGET}x: {'met' if met else 'MISSED'}"
        elif target is not None:
            verdict = f"<= {target}x: {'met' if ratio <= target else 'MISSED'}"
        else:
            verdict = ""
        cpu = f"{r['cpu']:.1f} s" if r["cpu"] is not None else ""
        peak = f"{r['peak']:.0f} MB" if r["peak"] is not None else ""
        rate = f"{r['pages'] / r['wall']:.0f}" if r["pages"] else ""
        cpu_ratio = f"{r['cpu'] / bare['cpu']:.2f}x" if r["cpu"] is not None else ""
        mem_ratio = f"{r['peak'] / bare['peak']:.2f}x" if r["peak"] is not None else ""
        print(f"| {name} | {r['wall']:.2f} s | {cpu} | {peak} | {rate} | {ratio:.3f}x "
              f"| {cpu_ratio} | {mem_ratio} | {verdict} |", flush=True)  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-sample", action="store_true", help="skip the sample site's pages")
    parser.add_argument("--no-preview", action="store_true", help="skip `make serve`'s timings")
    args = parser.parse_args()
    print(f"Machine: {os.cpu_count()} cores; median of {args.runs} runs; memory: max RSS.")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bare.py").write_text(BARE.format(content=tmp))
        bare = plugins_loaded(Path(tmp) / "bare.py") or ["none"]
    kit = plugins_loaded(ROOT / "pelicanconf.py", {"PATH": str(ROOT / "bench")})
    print(f"Plugins loaded by bare Pelican: {', '.join(bare)}")
    print(f"Plugins loaded by the kit: {', '.join(kit)}")
    if not shutil.which("hugo"):
        print("Hugo: not installed (apt-get install hugo), so not measured.")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            report(n, run_size(n, args.runs, Path(tmp), preview=not args.no_preview))
    if not args.no_sample:
        sample_site()


def sample_site():
    with tempfile.TemporaryDirectory() as tmp, sample.served(Path(tmp)) as (site, out):
        print("\n| page | HTML | CSS | total (target <= 30 KB) |\n|---|---|---|---|")
        for name, (html, css) in sample.weights(out).items():
            total = (html + css) / 1024
            print(f"| {name} | {html / 1024:.1f} KB | {css / 1024:.1f} KB | {total:.1f} KB |")
        if sample.can_audit():
            found = sample.scores(site, Path(tmp))
            print("\n| page (Lighthouse 12.8.2, mobile) | " + " | ".join(sample.CATEGORIES) + " |")
            print("|---|" + "---|" * len(sample.CATEGORIES))
            for name, result in found.items():
                cells = " | ".join(f"{result[c]:.2f}" for c in sample.CATEGORIES)
                print(f"| {name} | {cells} |")
        else:
            print("\nLighthouse: skipped (needs chromium and npm).")
    print("\nTargets: pages <= 30 KB; Lighthouse performance >= 0.98, the others 1.0.")


if __name__ == "__main__":
    main()
