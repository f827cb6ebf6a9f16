"""Listening: replies, mentions and what each announced post achieved, brought back
to staff (`make listen`, `make report`: python -m listen); and, when
LISTEN_SHOW_REPLIES is on, each post's public replies shown under it on the site."""

import logging
import os

from pelican import signals

logger = logging.getLogger(__name__)
_site = {}


def settle(pelican):
    """On `initialized`: the settings, checked once (a wrong one stops the build)."""
    from .config import SettingsError, read_config
    from .replies import path_of

    _site.clear()
    try:
        config = read_config(pelican.settings)
        if config.show_replies:
            state_dir = pelican.settings.get("ANNOUNCE_STATE_DIR", ".announce")
            _site.update(file=inside(path_of(state_dir)), hidden=inside(config.hidden))
    except (SettingsError, ValueError) as err:
        logger.error("pelicanconf.py: listen: %s No replies are shown under the posts.", err)


def inside(path: str) -> str:
    """`path`, resolved, only if it is inside the project (the folder the build runs
    in): a link to a file elsewhere is never read."""
    real, project = os.path.realpath(path), os.path.realpath(os.getcwd())
    if os.path.commonpath([real, project]) != project:
        raise ValueError(
            f"{path} is outside the project ({project}), so it is not read. Fix: keep it "
            "inside the project folder, not as a link to elsewhere."
        )
    return real


def attach(generator):
    """On `article_generator_finalized`: each post's shown replies, as `replies`."""
    _attach(generator.articles, generator.settings)


def _attach(articles, settings):
    if not _site:
        return
    from urllib.parse import urlsplit

    from .replies import for_page, hidden_links, load

    posts, hidden = load(_site["file"]), hidden_links(_site["hidden"])
    siteurl = settings.get("SITEURL", "")
    for article in articles:
        path = urlsplit(f"{siteurl}/{article.url}").path
        entry = posts.get(path)
        article.replies = for_page(entry, hidden) if entry else []


# A post `make serve` adds to the site it holds in memory (plugins/preview/added.py).
attach.for_one_post = lambda article, generator: _attach([article], generator.settings)


def inputs(settings):
    """For a build with nothing to do (incremental): the files the replies come from."""
    return [_site["file"], _site["hidden"]] if _site else []


def register():
    signals.initialized.connect(settle)
    signals.article_generator_finalized.connect(attach)
    from blinker import signal

    signal("incremental_inputs").connect(inputs)
