"""A new post, put into the site the preview holds in memory (plugins/preview/hot.py).

Pelican's ArticlesGenerator makes its lists once, from every post it read: the posts
in order, by date, per category, tag, author and period. A new post goes into each
of those lists in place, where Pelican would have put it (its own functions order
them), so the write_file calls the last build recorded, which hold those lists, show
it when the preview makes them again. Its own page is a new call, as Pelican's
`generate_articles` makes it.

Only what needs no new page of Pelican's is done here: a post in a category, tags,
authors and period archives the site already has, linking only files the site
already copies, that no other post links to by its file name (that link is written
into the linking post's text when it is read), and that is not a translation. Anything
else raises NotHot (a full build), before anything is changed.
"""

import os
from operator import attrgetter

from pelican import signals
from pelican.utils import order_content, process_translations

# The receivers of the signals Pelican sends while it makes its lists that the preview
# knows need nothing more for a post like these: the checks' (a post at a taken
# address, a new category or tag, neither of which comes here). Another receiver that
# only sets something on each post says so with a `for_one_post(article, generator)`
# attribute, which is called for the new post.
KNOWN_RECEIVERS = frozenset({"checks"})
LIST_SIGNALS = (signals.article_generator_pretaxonomy, signals.article_generator_finalized)


class Unplaceable(Exception):
    """The post cannot be put in the lists in memory (the message says why)."""


def is_new_post(generator, relative: str) -> bool:
    """Whether `relative` (to the content folder) is a file Pelican would read as a
    post: in ARTICLE_PATHS, not excluded, with a reader's extension."""
    settings = generator.settings
    found = generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    return relative in {path.replace(os.sep, "/") for path in found}


def place(generator, new, context, pages) -> None:
    """Put `new` (a post just read) in `generator`'s lists and the context, in place,
    as Pelican's generate_context would have; or raise Unplaceable, changing nothing."""
    settings = generator.settings
    relative = new.get_relative_source_path()
    _check_receivers(generator)
    if new.status != "published":
        raise Unplaceable(f"{relative} is not published ({new.status})")
    articles = generator.articles
    for name in ("articles", "dates"):
        if context.get(name) is not getattr(generator, name):
            raise Unplaceable(f"a plugin replaced the site's list of {name}")
    index, translations = process_translations(
        [*articles, *generator.translations, new], translation_id=settings["ARTICLE_TRANSLATION_ID"]
    )
    index = order_content(index, settings["ARTICLE_ORDER_BY"])
    if [id(i) for i in index if i is not new] != [id(a) for a in articles] or {
        id(t) for t in translations
    } != {id(t) for t in generator.translations}:
        raise Unplaceable(f"{relative} is a translation, or has another post's address")
    if new.save_as in pages or os.path.exists(os.path.join(context["OUTPUT_PATH"], new.save_as)):
        raise Unplaceable(f"{relative}: its address {new.save_as} is taken")
    categories = dict(generator.categories)
    authors = dict(generator.authors)
    if getattr(new, "category", None) is not None and new.category not in categories:
        raise Unplaceable(f"{relative} is the first post in its category")
    for tag in getattr(new, "tags", ()):
        if tag not in generator.tags:
            raise Unplaceable(f"{relative} is the first post with the tag {tag}")
    for author in getattr(new, "authors", ()):
        if author not in authors:
            raise Unplaceable(f"{relative} is the first post by {author}")
    if any(link not in context["static_content"] for link in new.get_static_links()):
        raise Unplaceable(f"{relative} links a file the site does not have yet")
    name = os.path.basename(new.source_path)
    for item in context["generated_content"].values():
        if item is None:
            continue
        texts = (getattr(item, "_content", "") or "", str(item.metadata.get("summary", "")))
        if any(name in text for text in texts):
            raise Unplaceable(f"{item.get_relative_source_path()} links to {relative}")
    dates = sorted(index, key=attrgetter("date"), reverse=context["NEWEST_FIRST_ARCHIVES"])
    periods = _periods(generator, new, dates, index)

    # Nothing is changed above this line.
    articles[:] = index
    generator.dates[:] = dates
    if getattr(new, "category", None) is not None:
        categories[new.category][:] = [a for a in index if _same(a, "category", new.category)]
    for tag in getattr(new, "tags", ()):
        generator.tags[tag][:] = [a for a in index for t in getattr(a, "tags", ()) if t == tag]
    for author in getattr(new, "authors", ()):
        authors[author][:] = [a for a in index for x in getattr(a, "authors", ()) if x == author]
    for archive, (in_dates, in_articles) in periods:
        archive["dates"][:] = in_dates
        archive["articles"][:] = in_articles
    generator.add_source_path(new)
    generator.add_static_links(new)
    set_on_one_post(generator, new)


def dates_of_lists(calls, generator, new):
    """Pelican gives the pages of each tag, category and author their posts by date as
    a list it makes as it writes them (`generate_tags`...): in the recorded calls of
    the lists that now hold the new post, that list made again, in place."""
    for call in calls:
        if call.owner is not generator:
            continue
        for given in (call.paginated or {}, call.kwargs):
            articles, dates = given.get("articles"), given.get("dates")
            if articles is None or dates is None or dates is generator.dates:
                continue
            if holds(articles, new) and not holds(dates, new):
                ids = {id(article) for article in articles}
                dates[:] = [article for article in generator.dates if id(article) in ids]


def holds(items, obj) -> bool:
    """Whether `obj` itself (not an equal value) is one of `items`."""
    return any(item is obj for item in items)


def _same(article, name, value) -> bool:
    return getattr(article, name, None) == value


def set_on_one_post(generator, post) -> None:
    """What plugins set on each post as Pelican makes its lists (`for_one_post`), set
    on `post`, a post read again or new."""
    for signal in LIST_SIGNALS:
        for receiver in signal.receivers_for(generator):
            if hasattr(receiver, "for_one_post"):
                receiver.for_one_post(post, generator)


def _check_receivers(generator):
    """Unplaceable if a plugin other than the known ones and those that only set
    something on each post makes something of Pelican's lists as they are made
    (related posts, say): it would not see the new post."""
    for signal in LIST_SIGNALS:
        for receiver in signal.receivers_for(generator):
            module = getattr(receiver, "__module__", "") or ""
            known = module.split(".")[0] in KNOWN_RECEIVERS
            if not known and not hasattr(receiver, "for_one_post"):
                raise Unplaceable(f"the plugin {module} reads the lists as Pelican makes them")


def _periods(generator, new, dates, index) -> list:
    """[(period archive, (its posts by date, its posts in order))] for each archive the
    new post belongs in, as Pelican's `_build_period_archives` makes them; Unplaceable
    if it is the first post of a period."""
    settings = generator.settings
    keys = {
        "year": attrgetter("date.year"),
        "month": attrgetter("date.year", "date.month"),
        "day": attrgetter("date.year", "date.month", "date.day"),
    }
    found = []
    for granularity, key in keys.items():
        if not settings[f"{granularity.upper()}_ARCHIVE_SAVE_AS"]:
            continue
        period = key(new)
        archives = generator.period_archives.get(granularity, ())
        archive = next((a for a in archives if key(a["dates"][0]) == period), None)
        if archive is None:
            relative = new.get_relative_source_path()
            raise Unplaceable(f"{relative} is the first post of its {granularity}")
        # Pelican groups the posts by date run by run; posts of one period are one run.
        in_dates = [a for a in dates if key(a) == period]
        found.append((archive, (in_dates, [a for a in index if a in in_dates])))
    return found
