"""The feed step at N posts: the kit's feeds plugin against Pelican's own feed writer.

    python bench/feed_step.py [N] [RUNS]      # default 5000 posts, 5 runs each, in turn

Both run in one process on the same posts, read once: only the feed step is timed.
Pelican writes Atom and RSS for all posts and each category, and Atom for each tag;
the kit writes the same set plus JSON Feed, the stylesheet and the Subscribe page.
"""

import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from posts import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PELICAN_FEEDS = {
    "FEED_ALL_ATOM": "pelican/all.atom.xml",
    "FEED_ALL_RSS": "pelican/all.rss.xml",
    "CATEGORY_FEED_ATOM": "pelican/category/{slug}.atom.xml",
    "CATEGORY_FEED_RSS": "pelican/category/{slug}.rss.xml",
    "TAG_FEED_ATOM": "pelican/tag/{slug}.atom.xml",
}


def main(n=5000, runs=5):
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        content = generate(n, Path(tmp) / "content")
        settings = read_settings(
            str(ROOT / "pelicanconf.py"),
            override={"PATH": str(content), "OUTPUT_PATH": str(Path(tmp) / "output"),
                      "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False,
                      "SITEURL": "https://bench.example", "RELATIVE_URLS": False},
        )  # fmt: skip
        pelican = Pelican(settings)
        context = {**pelican.settings, "generated_content": {}, "static_links": set(),
                   "static_content": {}, "localsiteurl": pelican.settings["SITEURL"]}  # fmt: skip
        generators = [
            cls(context=context, settings=pelican.settings, path=pelican.path,
                theme=pelican.theme, output_path=pelican.output_path)
            for cls in pelican._get_generator_classes()
        ]  # fmt: skip
        started = time.perf_counter()
        for g in generators:
            if hasattr(g, "generate_context"):
                g.generate_context()
        read_time = time.perf_counter() - started
        articles = next(g for g in generators if type(g).__name__ == "ArticlesGenerator")
        feeds = next(g for g in generators if type(g).__name__ == "FeedsGenerator")
        articles.settings.update(PELICAN_FEEDS)  # the plugin switched these off; on for (a)
        articles.settings["FEED_DOMAIN"] = articles.settings["SITEURL"]

        def pelican_feeds():
            articles.generate_feeds(pelican._get_writer())

        def kit_feeds():
            feeds._entries.clear()  # no memo carried between runs
            feeds.generate_output(pelican._get_writer())

        times = {"pelican": [], "kit": []}
        for _ in range(runs):  # in turn, so a noisy machine slows both alike
            for name, step in (("pelican", pelican_feeds), ("kit", kit_feeds)):
                t = time.perf_counter()
                step()
                times[name].append(time.perf_counter() - t)
        p, k = statistics.median(times["pelican"]), statistics.median(times["kit"])
        files = len(list((Path(tmp) / "output" / "feeds").rglob("*.*")))
        print(f"posts: {n}, reading (once, not timed below): {read_time:.1f} s, runs: {runs}")
        print("| feed step | median s | files |")
        print("|---|---|---|")
        pelican_files = len(list((Path(tmp) / "output" / "pelican").rglob("*.xml")))
        print(f"| Pelican built-in feeds | {p:.3f} | {pelican_files} |")
        print(f"| Noticeboard feeds plugin | {k:.3f} | {files} |")
        print(f"ratio kit / Pelican: {k / p:.2f}x (target <= 1.5x)")
        return k / p


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
