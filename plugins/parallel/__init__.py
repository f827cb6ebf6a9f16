"""Parallel reading: Markdown is converted on every core before Pelican reads the posts.

Python-Markdown is about half of a build's time, and each post converts on its own,
so the posts not already in Pelican's content cache are converted in a process pool;
Pelican then reads them as usual (the checks plugin's reader takes the converted
HTML and does the front matter), so the site is the same as a serial build's.
"""

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from markdown import Markdown
from pelican import signals
from pelican.utils import pelican_open

logger = logging.getLogger(__name__)


_markdown = {}  # in a worker: one Markdown per settings, reset between posts


def convert(job):
    """In a worker: (path, HTML, front matter) or (path, None, None) if it can't
    (the main process then reads it itself, with the usual messages). One Markdown
    object serves every post, reset before each (as Python-Markdown documents):
    making one costs more than converting a short post."""
    path, markdown_settings = job
    try:
        key = repr(markdown_settings)
        md = _markdown.get(key)
        if md is None:
            md = _markdown[key] = Markdown(**markdown_settings)
        md.reset()
        with pelican_open(path) as text:
            html = md.convert(text)
        return path, html, dict(getattr(md, "Meta", {}))
    except Exception:  # noqa: BLE001 - reported by the normal, serial read
        return path, None, None


def prefetch(generator):
    """On `article_generator_init`: convert the posts the content cache doesn't have."""
    settings = generator.settings
    workers = int(settings.get("READ_WORKERS") or os.cpu_count() or 1)
    reader = generator.readers.readers.get("md")
    if workers < 2 or reader is None or not hasattr(reader, "prepared"):
        return
    files = generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    todo = []
    for relative in files:
        path = os.path.abspath(os.path.join(generator.path, relative))
        ext = os.path.splitext(path)[1].lstrip(".")
        if ext in reader.file_extensions and generator.readers.get_cached_data(path) is None:
            todo.append(path)
    if len(todo) < int(settings.get("READ_PARALLEL_MIN", 64)):
        return  # a pool costs more than it saves on a few posts
    jobs = [(path, settings["MARKDOWN"]) for path in todo]
    with ProcessPoolExecutor(min(workers, len(todo)), mp_context=get_context("fork")) as pool:
        for path, html, meta in pool.map(convert, jobs, chunksize=32):
            if html is not None:
                reader.prepared[path] = (html, meta)
    logger.debug("parallel: converted %d posts on %d processes", len(reader.prepared), workers)


def register():
    # Before the posts are read: convert them all at once, on every core.
    signals.article_generator_init.connect(prefetch)
