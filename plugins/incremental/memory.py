"""Less memory for a build of many posts: Pelican keeps the text of every post it
shows, as made for each page it was shown on (`Content.get_content` and `get_summary`
are memoized by post and by the address of the page, and with RELATIVE_URLS a page's
depth changes that address: three or four copies of each summary). Each post's own
page needs its text once, as it is written; nothing later in the build reads those
copies again without making them anew. They are let go every few posts while the
posts' pages are written, and once the posts' generator has written everything.
"""

from pelican.contents import Content

EVERY = 256  # posts: a post's text is made again at most once per page it is on
_written = [0]


def _memoized():
    for name in ("get_content", "get_summary"):
        cache = getattr(vars(Content).get(name), "cache", None)
        if isinstance(cache, dict):
            yield cache


def let_go(*_args, **_kwargs):
    """Every copy Pelican keeps of the posts' texts (made again when next needed)."""
    for cache in _memoized():
        cache.clear()


def post_written(*_args, **_kwargs):
    """On `article_generator_write_article`: every EVERY posts, the copies let go."""
    _written[0] += 1
    if _written[0] % EVERY == 0:
        let_go()
