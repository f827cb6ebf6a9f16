"""Two build steps at N posts, on the same posts read once (only the steps are timed):

- the feed step: the kit's feeds plugin against Pelican's own feed writer. Pelican
  writes Atom and RSS for all posts and each category, and Atom for each tag; the kit
  writes the same set plus JSON Feed, the stylesheet and the Subscribe page;
- announcement planning with an N-entry ledger (every post announced but the newest 3).

    python bench/steps.py [N] [RUNS]      # default 5000 posts, 5 runs each, in turn
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
        plan_median = plan_step(generators, Path(tmp), runs)
        print(f"announcement planning, {n}-entry ledger: {plan_median:.3f} s (target < 0.2 s)")
        return k / p


def plan_step(generators, tmp, runs):
    """Time the publish build's planning with a ledger of every post but the newest 3."""
    import json

    from announce.ledger import event, header
    from announce.plan import Site, make_post
    from announce.planner import AnnouncePlanGenerator
    from feeds.entries import entry_id
    from feeds.settings import read_settings as feed_settings

    articles = next(g for g in generators if type(g).__name__ == "ArticlesGenerator")
    settings = articles.settings
    authority = feed_settings(settings).id_authority
    site = Site("https://bench.example", settings["PATH"])
    channels = ("mastodon", "bluesky", "webhook", "email")
    lines = [header(authority)]
    lines += [{"t": "2000-01-01T00:00:00+00:00", "channel": c, "start": "2000-01-01T00:00:00+00:00"}
              for c in channels]  # fmt: skip
    newest_first = sorted(articles.articles, key=lambda a: a.date, reverse=True)
    for article in newest_first[3:]:
        post = make_post(article, site, entry_id(article, authority))
        lines += [event(post, c, "sent", remote_id="1") for c in channels]
    ledger = tmp / "ledger.jsonl"
    ledger.write_text("".join(json.dumps(line) + "\n" for line in lines))
    settings.update(
        {"ANNOUNCE_ENABLED": True, "ANNOUNCE_LEDGER": str(ledger), "ANNOUNCE_MAX_AGE": None,
         "ANNOUNCE_STATE_DIR": str(tmp / "state")}
    )  # fmt: skip
    planner = AnnouncePlanGenerator(
        context=articles.context, settings=settings, path=articles.path,
        theme=articles.theme, output_path=articles.output_path,
    )  # fmt: skip
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        planner.generate_output(None)
        times.append(time.perf_counter() - t)
    planned = json.loads((tmp / "state" / "plan.json").read_text())["posts"]
    assert len(planned) == 3, len(planned)
    return statistics.median(times)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
