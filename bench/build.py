"""`make bench`: whole builds of N generated library posts, timed and weighed, and the
sample site's pages weighed and scored by Lighthouse (bench/sample.py).

    python bench/build.py [N ...] [--runs 3]          # default N = 1000 5000

For each N, in turn (so a noisy machine slows every variant alike), RUNS times:
  (a) bare Pelican 4.12: its default theme and built-in feeds, no plugins;
  (b) the kit: every plugin on, a cold build (empty cache and output);
  (c) the kit again after editing one post (warm content cache);
  (d) Hugo from Debian's package, for reference, when it is installed.
Each build is its own process: wall time and its peak memory (max RSS) are measured
around it. Prints a Markdown table of medians and the ratios the project targets.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sample  # noqa: E402
from posts import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
# Runs a command and reports its wall time and the peak memory of its processes.
MEASURE = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, largest child
print(json.dumps({"wall": wall, "peak_kib": peak, "code": done.returncode,
                  "err": done.stderr[-800:]}))
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


def measure(cmd, cwd=ROOT, env=None) -> dict:
    out = subprocess.run(
        [PY, "-c", MEASURE, *cmd],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    result = json.loads(out.stdout)
    if result["code"] != 0:
        raise RuntimeError(f"{cmd[:3]} failed: {result['err']}")
    return result


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


def run_size(n, runs, tmp: Path):
    content = generate(n, tmp / "content")
    (tmp / "bare.py").write_text(BARE.format(content=str(content)))
    hugo = shutil.which("hugo")
    if hugo:
        hugo_site(content, tmp / "hugo")
    samples = {k: [] for k in ("bare", "kit", "rebuild", "hugo")}
    kit = [
        str(ROOT / ".venv" / "bin" / "pelican"),
        str(content),
        "-s",
        str(ROOT / "pelicanconf.py"),
        "--log-handler",
        "plain",
    ]
    edited = sorted((content / "posts").glob("*.md"))[n // 2]
    original = edited.read_text()
    for run in range(runs):
        out, cache = tmp / f"kit-out-{run}", tmp / f"kit-cache-{run}"
        samples["bare"].append(
            measure(
                [
                    str(ROOT / ".venv" / "bin" / "pelican"),
                    str(content),
                    "-o",
                    str(tmp / f"bare-out-{run}"),
                    "-s",
                    str(tmp / "bare.py"),
                ]
            )
        )
        samples["kit"].append(measure([*kit, "-o", str(out), "-e", f'CACHE_PATH="{cache}"']))
        edited.write_text(original + f"\nAn edit for run {run}.\n")
        samples["rebuild"].append(measure([*kit, "-o", str(out), "-e", f'CACHE_PATH="{cache}"']))
        edited.write_text(original)
        if hugo:
            samples["hugo"].append(
                measure(
                    [hugo, "--quiet", "-s", str(tmp / "hugo"), "-d", str(tmp / f"hugo-out-{run}")]
                )
            )
        for folder in (out, cache, tmp / f"bare-out-{run}", tmp / f"hugo-out-{run}"):
            shutil.rmtree(folder, ignore_errors=True)
    return {
        k: (statistics.median(s["wall"] for s in v), max(s["peak_kib"] for s in v))
        for k, v in samples.items()
        if v
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"Machine: {os.cpu_count()} cores; median of {args.runs} runs; peak = max RSS.\n")
    print(
        "| posts | bare Pelican | kit, full | kit, after one edit | Hugo | kit / bare "
        "| edit / full | memory kit / bare |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            r = run_size(n, args.runs, Path(tmp))
        hugo = f"{r['hugo'][0]:.1f} s" if "hugo" in r else "not installed"
        print(
            f"| {n} | {r['bare'][0]:.1f} s, {r['bare'][1] / 1024:.0f} MB "
            f"| {r['kit'][0]:.1f} s, {r['kit'][1] / 1024:.0f} MB "
            f"| {r['rebuild'][0]:.1f} s | {hugo} | {r['kit'][0] / r['bare'][0]:.2f}x "
            f"| {r['rebuild'][0] / r['kit'][0]:.2f}x | {r['kit'][1] / r['bare'][1]:.2f}x |",
            flush=True,
        )
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
    print(
        "\nTargets: kit / bare <= 1.0x at 5,000 posts; edit / full <= 0.25x; memory <= 1.5x; "
        "pages <= 30 KB; Lighthouse performance >= 0.98, the others 1.0."
    )


if __name__ == "__main__":
    main()
