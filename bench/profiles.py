"""Where the time and memory of a build go, for the next speed-up (issue 18): not timed
targets (those are `make bench`), but the profiles that guide the work.

    python bench/profiles.py preview FOLDER [N]   # `make serve` in one process: a text
        edit, a title and a new post on N generated posts (default 5000), each timed
        ("Done:" and the work after it); cProfile files for each in FOLDER
    python bench/profiles.py memory FOLDER [N] [-e KEY=VALUE ...]   # a cold build's
        peak memory (RSS) after each of Pelican's signals, and which generator was
        writing; -e as for pelican (-e SEARCH_ENABLED=false), --bare for plugin-free
        Pelican, --restored to keep the last run's cache (an empty output)

The posts are generated once into FOLDER/content (bench/posts.py) and kept there.
"""

import argparse
import cProfile
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "plugins"))
from build import BARE  # noqa: E402
from posts import generate  # noqa: E402


def content(folder: Path, n: int) -> Path:
    posts = folder / "content" / "posts"
    if not posts.is_dir() or len(list(posts.glob("*.md"))) != n:
        shutil.rmtree(folder / "content", ignore_errors=True)
        generate(n, folder / "content")
    return folder / "content"


def preview(folder: Path, n: int):
    from pelican import LOG_HANDLERS, parse_arguments
    from pelican.log import init as init_logging
    from preview.loop import Preview

    site = content(folder, n)
    args = parse_arguments([str(site), "-o", str(folder / "preview-out"),
                            "-s", str(ROOT / "pelicanconf.py"),
                            "-e", f'CACHE_PATH="{folder / "preview-cache"}"',
                            "--log-handler", "plain"])  # fmt: skip
    init_logging(level=args.verbosity, name="pelican", handler=LOG_HANDLERS["plain"])
    kept = Preview(args)
    started = time.perf_counter()
    kept.build()
    print(f"first build: {time.perf_counter() - started:.2f} s")
    edited = sorted((site / "posts").glob("*.md"))[n // 3]
    original = edited.read_text(encoding="utf-8")
    title = re.search(r"^Title: (.*)$", original, re.M).group(1)
    new = site / "posts" / "9999-01-01-new.md"
    new_post = original.replace(f"Title: {title}", "Title: A new post (99999)", 1)
    steps = [
        ("text", edited, original + "\nA line added.\n"),
        ("title", edited, original.replace(f"Title: {title}", f"Title: Renamed {title}", 1)),
        ("new-post", new, re.sub(r"^Date: \d{4}", "Date: 2026", new_post, count=1, flags=re.M)),
    ]
    try:
        for name, path, text in steps:
            path.write_text(text, encoding="utf-8")
            profile = cProfile.Profile()
            started = time.perf_counter()
            profile.enable()
            in_memory = kept.edit_in_memory({str(path)})
            if not in_memory:
                kept.build()
            done = time.perf_counter()
            kept.after_edit()
            profile.disable()
            profile.dump_stats(folder / f"preview-{name}.prof")
            print(f"{name}: {'in memory' if in_memory else 'full build'}, "
                  f"{done - started:.2f} s to Done, {time.perf_counter() - done:.2f} s after; "
                  f"profile: {folder / f'preview-{name}.prof'}")  # fmt: skip
    finally:
        edited.write_text(original, encoding="utf-8")
        new.unlink(missing_ok=True)


def memory(folder: Path, n: int, extra: list[str], bare: bool, restored: bool):
    from blinker import Signal
    from pelican import main, signals

    site = content(folder, n)
    out, cache = folder / "memory-out", folder / "memory-cache"
    for path in (out,) if restored else (out, cache):
        shutil.rmtree(path, ignore_errors=True)
    settings = ROOT / "pelicanconf.py"
    if bare:
        settings = folder / "bare.py"
        settings.write_text(BARE.format(content=str(site)), encoding="utf-8")
    phase, peak = ["start"], {}

    def rss() -> int:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) // 1024 for line in f if line.startswith("VmRSS"))

    def sample():
        while True:
            writer = sys.modules.get("incremental.writer")
            making = writer.making[0] if writer is not None else None
            name = phase[0] + (f" ({type(making).__name__})" if making is not None else "")
            peak[name] = max(peak.get(name, 0), rss())
            time.sleep(0.02)

    # The signals sent once a build (not once a post or a page), in the order sent.
    for name in dir(signals):
        signal = getattr(signals, name)
        if isinstance(signal, Signal) and not re.search(r"content|context|preread|written|"
                                                        r"write_|feed_", name):  # fmt: skip
            signal.connect(lambda _sender, _name=name, **_kw: phase.__setitem__(0, _name),
                           weak=False)  # fmt: skip

    # `finalized`: each receiver in turn (the search index, the sitemap, the tidy...).
    def finalized(sender, **kwargs):
        for receiver in list(signals.finalized.receivers_for(sender)):
            phase[0] = f"finalized: {receiver.__module__}.{receiver.__qualname__}"
            receiver(sender, **kwargs)

    signals.finalized.send = finalized
    threading.Thread(target=sample, daemon=True).start()
    try:
        main([str(site), "-o", str(out), "-s", str(settings), "-e", f'CACHE_PATH="{cache}"',
              "--log-handler", "plain", *[a for e in extra for a in ("-e", e)]])  # fmt: skip
    finally:
        for name, mb in peak.items():
            print(f"{name:55} {mb} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["preview", "memory"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("n", type=int, nargs="?", default=5000)
    parser.add_argument("-e", dest="extra", action="append", default=[])
    parser.add_argument("--bare", action="store_true")
    parser.add_argument("--restored", action="store_true", help="keep the cache of the last run")
    options = parser.parse_args()
    options.folder.mkdir(parents=True, exist_ok=True)
    os.chdir(ROOT)
    if options.what == "preview":
        preview(options.folder.resolve(), options.n)
    else:
        memory(options.folder.resolve(), options.n, options.extra, options.bare, options.restored)
