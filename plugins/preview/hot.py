"""An edit to the text or title of posts, applied to the site the preview holds in memory.

After a full build the preview keeps what Pelican made: the generators with every
post read, the shared context, and the incremental writer with each `write_file` call
it was given, the generator that made it and the names each page looked up. When a
save changes only the text or the title of posts already on the site (not a date, a
tag, a category, an event's details, a linked file), the preview reads just those
files, as Pelican would, puts each new post where the old one was (in every list, the
context and the recorded calls), and makes again only the calls of Pelican's own
generators whose pages show that post: the incremental writer then renders the pages
whose signature changed, as a full build would, so the output is byte for byte the
one a full build gives. The plugins' generators run again (feeds, events, cards: each
keeps its own caches). A new title moves the post: its old page and the files plugins
made for it there (`files_of`) are removed. The manifest, the search index and the
sitemap follow after "Done:".

A new post is read and put into Pelican's lists where a full build would have put it
(added.py); the calls whose lists now hold it are made again, every page of each (the
posts after it move on a place), and its own page is a new call.

Before "Done:", the pages someone looking at the edit sees first: the post's own page,
the pages of lists that show it, and the first page of each list. The other pages of a
list a new post moved, and pages made again only for a site-wide value (the archives;
every page's menu, after a page's new title), follow with the search index
(`after_edit`).

Anything else (a deleted file, a new page, a date, the theme, a setting, a file in
the output changed by hand, a title that would reorder a list, a new post that needs a
new page of Pelican's: a first post in a category, tag or period) is a full build:
`apply` raises `NotHot` with the reason, before changing anything.
"""

import contextlib
import logging
import os
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import NamedTuple

from pelican import signals
from pelican.contents import Article, Page, SkipStub
from pelican.generators import (
    ArticlesGenerator,
    PagesGenerator,
    StaticGenerator,
    TemplatePagesGenerator,
)
from pelican.log import console
from pelican.paginator import Page as PaginatorPage
from pelican.paginator import Paginator
from pelican.utils import order_content, process_translations

from .added import holds

logger = logging.getLogger(__name__)
# What an edit to a post's text changes in it: the text, the summary made from its
# start (and, on reading, the events plugin's plain-text copy of it). Every page, feed
# and calendar that shows them shows the post, and is made again.
TEXT = frozenset({"_content", "_summary", "event_summary"})
# A new title: the post's title and the address made from it. Every page, feed, card
# and calendar that shows the post is made again; its old page and files are removed.
TITLE = frozenset({"title", "slug"})
METADATA_EDITABLE = frozenset({"summary", "title", "slug"})
# Pelican's own generators: the calls they made are made again where they show an
# edited post; every other generator (the plugins') runs its generate_output again.
PELICAN_WRITES = (ArticlesGenerator, PagesGenerator, StaticGenerator, TemplatePagesGenerator)


AFTER = "Search index and sitemap updated"  # what the preview says once after_edit is done


class NotHot(Exception):
    """This change needs a full build; the message says why (shown with -D)."""


def apply(pelican, changed: set[str]) -> None:
    """Apply an edit to posts' text or titles to the site in memory, or raise NotHot."""
    import incremental
    from incremental.lock import output_lock

    started = time.perf_counter()
    with output_lock(pelican.output_path):
        writer, generators = _held_site(incremental._build, pelican)
        context = generators[0].context
        # As Pelican starts a build: posts read now make their links from the site's
        # address (the last page written left its own in the context).
        context["localsiteurl"] = pelican.settings["SITEURL"]
        pages = writer.store.saved
        found = [_read_again(pelican, generators, context, pages, path) for path in sorted(changed)]
        edits = [item for item in found if item is not None and not isinstance(item, Added)]
        new_posts = [item for item in found if isinstance(item, Added)]
        if not edits and not new_posts:
            raise NotHot("none of the changed files is a post's text")
        if len(new_posts) > 1:
            raise NotHot("more than one new post")
        added = [_place(generators, item, context, pages, writer) for item in new_posts]
        incremental.unchanged.forget(pelican.settings)
        for old, new in edits:
            _replace(old, new, context, generators, writer.calls.values())
            _readdress(writer, new, old.save_as)
        # In Pelican's order: what plugins set on posts after reading (an event's
        # next dates, a card), then the links in summaries, then the pages.
        for generator in generators:
            if getattr(generator, "sets_on_posts", ()):
                generator.generate_context()
        context["localsiteurl"] = pelican.settings["SITEURL"]
        for new in [*added, *(new for _, new in edits)]:
            new.refresh_metadata_intersite_links()
        written = _write_again(writer, generators, [new for _, new in edits], added)
        for old, new in edits:
            _remove_old_files(pelican.output_path, writer.store, generators, old, new)
        if added:  # an event: the build is out of date when its next date has passed
            build = incremental._build
            build["until"] = min(
                build["until"], incremental.unchanged.until(pelican, generators, build["now"])
            )
        names = [new.get_relative_source_path() for new in [*(new for _, new in edits), *added]]
        later = sum(1 if numbers is None else len(numbers) for _, numbers in _later.values())
        console.print(
            f"Done: {', '.join(names)}: "
            f"{written} page(s) written again in {time.perf_counter() - started:.2f} seconds "
            "(the site held in memory)" + (f"; {later} more page(s) follow." if later else ".")
        )
        # The manifest in memory, as the next edit checks the output against it; the
        # rest when the preview has time (`after_edit`).
        incremental.settle_after_edit(pelican, writer)
        remember_output(pelican, again=True)
        _after[:] = [pelican]


def after_edit(pelican) -> bool:
    """The work an edit in memory leaves for when no save is waiting: the manifest on
    disk, the resized pictures no page shows removed, the search index and the sitemap
    (`finalized`). False when there was none."""
    import incremental
    from incremental.lock import output_lock

    if _after != [pelican]:
        return False
    started = time.perf_counter()
    writer = incremental._build["writer"]
    with output_lock(pelican.output_path):
        later = _write_later(writer)
        if later:
            incremental.settle_after_edit(pelican, writer)
        incremental.tidy_after_edit(pelican, writer)
        signals.finalized.send(pelican)
        remember_output(pelican, again=True)
    _after.clear()
    more = f", with {later} more page(s) written first" if later else ""
    console.print(f"{AFTER} in {time.perf_counter() - started:.2f} seconds{more}.")
    return True


def before_build(pelican):
    """Before a full build: the manifest of the edits in memory on disk (the build
    reads it); the build makes the rest again itself."""
    import incremental
    from incremental.lock import output_lock

    if _after == [pelican]:
        with output_lock(pelican.output_path):
            incremental._build["writer"].store.write()
    _after.clear()
    _later.clear()


_after = []  # [the Pelican instance] while an edit in memory has work left (after_edit)


def remember_output(pelican, again=False):
    """After a build or an edit in memory: the output's folders and their times (which
    change when a file in them is added or removed: a file deleted by hand). After an
    edit in memory, only the folders whose time changed are looked into again."""
    output = pelican.output_path
    known = _output[1] if again and _output and _output[0] == output else None
    _output[:] = [output, _folders(output, known)]


_output = []  # [the output folder, {folder: time}] as the preview left them


def _folders(output: str, known: dict | None = None) -> dict[str, int]:
    """{folder: time} for the output and every folder in it; given the last such map,
    only the folders added since are looked for (in the folders whose time changed)."""
    found, todo = {}, []
    for folder, time_ns in (known or {output: None}).items():
        with contextlib.suppress(OSError):
            found[folder] = os.stat(folder).st_mtime_ns
            if found[folder] != time_ns:
                todo.append(folder)
    while todo:
        with contextlib.suppress(OSError), os.scandir(todo.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and entry.path not in found:
                    with contextlib.suppress(OSError):
                        found[entry.path] = entry.stat(follow_symlinks=False).st_mtime_ns
                        todo.append(entry.path)
    return found


def _output_as_left(output: str) -> bool:
    """Whether the output's folders are those the preview left, with the same times."""
    if not _output or _output[0] != output:
        return False
    for folder, time_ns in _output[1].items():
        try:
            if os.stat(folder).st_mtime_ns != time_ns:
                return False
        except OSError:
            return False
    return True


def _held_site(build, pelican):
    """The last build's writer and generators, if they are the output as it is now."""
    writer = build.get("writer")
    if not build.get("done") or writer is None or writer.store is None or not writer.calls:
        raise NotHot("no build of this site is held in memory")
    if writer.store.saved is None:
        raise NotHot("the last build did not finish")
    until = build.get("until")
    if until is None or datetime.now(UTC) >= until:
        raise NotHot("a scheduled post or an event date has come since the last build")
    if not _output_as_left(pelican.output_path):
        raise NotHot("a file was added to or removed from the output (by hand?)")
    store = writer.store
    if not all(store.unchanged_file(entry["path"], entry) for entry in store.saved.values()):
        raise NotHot("a page in the output changed since the last build")
    return writer, build["generators"]


def _read_again(pelican, generators, context, pages, path):
    """(old post, new post) for a changed file, Added for a new one, None for a file
    that is neither on the site nor there any more (an editor's temporary file), or
    NotHot."""
    settings = pelican.settings
    root = os.path.realpath(settings["PATH"])
    full = os.path.realpath(path)
    if os.path.commonpath([root, full]) != root:
        raise NotHot(f"{path} is not in the content folder")
    relative = os.path.relpath(full, root).replace(os.sep, "/")
    old = context["generated_content"].get(relative)
    if old is None:
        if not os.path.exists(full) and relative not in context["static_content"]:
            return None
        if relative in context["static_content"]:
            raise NotHot(f"{relative} is not a post the last build made")
        # A file new since the last build, or one it could not read (None): a new post?
        return _read_new(generators, context, full, relative)
    if not os.path.isfile(full):
        raise NotHot(f"{relative} was deleted")
    generator, cls, preread, context_signal = _owner(generators, old)
    new, messages = _read(generator, cls, preread, context_signal, context, full, relative)
    if isinstance(generator, ArticlesGenerator):
        from . import added

        added.set_on_one_post(generator, new)
    _same_but_text(old, new, relative, context, _set_later(generators), generator, pages)
    messages.say()
    return old, new


class Added(NamedTuple):
    """A new post, read (its messages held until it is placed)."""

    post: Article
    generator: ArticlesGenerator
    messages: object


def _read_new(generators, context, full, relative) -> Added:
    """A file the last build did not have, read as a new post, or NotHot."""
    from . import added

    articles = [g for g in generators if isinstance(g, ArticlesGenerator)]
    if len(articles) != 1 or not added.is_new_post(articles[0], relative):
        raise NotHot(f"{relative} is a new file, not a post")
    generator = articles[0]
    new, messages = _read(generator, Article, signals.article_generator_preread,
                          signals.article_generator_context, context, full, relative)  # fmt: skip
    return Added(new, generator, messages)


def _place(generators, item, context, pages, writer) -> Article:
    """The new post in the lists in memory, and its page a write_file call to make, as
    Pelican's `generate_articles` makes it; or NotHot, changing nothing."""
    from incremental.writer import Call

    from . import added

    new, generator = item.post, item.generator
    with _held_messages():  # said by the full build, if it comes to that
        try:
            added.place(generator, new, context, pages)
        except added.Unplaceable as err:
            raise NotHot(str(err)) from err
    added.dates_of_lists(writer.calls.values(), generator, new)
    item.messages.say()
    signals.article_generator_write_article.send(generator, content=new)
    writer.calls[new.save_as] = Call(
        new.save_as, generator.get_template(new.template), context,
        generator.settings["RELATIVE_URLS"], None, None, hasattr(new, "override_save_as"),
        new.url, {"article": new, "category": getattr(new, "category", None), "blog": True},
        generator,
    )  # fmt: skip
    return new


def _read(generator, cls, preread, context_signal, context, full, relative):
    """(the post read from `full` as the generator reads it, the messages said while
    it was read, held), or NotHot."""
    try:
        with _held_messages() as messages:
            new = generator.readers.read_file(
                base_path=generator.path,
                path=os.path.relpath(full, os.path.realpath(generator.path)),
                content_class=cls,
                context=context,
                preread_signal=preread,
                preread_sender=generator,
                context_signal=context_signal,
                context_sender=generator,
            )
    except Exception as err:  # noqa: BLE001 - the full build reports it where it is
        raise NotHot(f"{relative} could not be read ({err})") from err
    if isinstance(new, SkipStub) or not new.is_valid():
        raise NotHot(f"{relative} is not a valid post now")
    return new, messages


def _owner(generators, old):
    for generator in generators:
        if isinstance(generator, ArticlesGenerator) and holds(generator.articles, old):
            return (generator, Article, signals.article_generator_preread,
                    signals.article_generator_context)  # fmt: skip
        if isinstance(generator, PagesGenerator) and holds(generator.pages, old):
            return (generator, Page, signals.page_generator_preread,
                    signals.page_generator_context)  # fmt: skip
    raise NotHot(f"{old.get_relative_source_path()} is not a published post or page")


def _set_later(generators) -> set[str]:
    """The attributes plugin generators set on posts after reading (`sets_on_posts`):
    their generate_context runs again after an edit in memory."""
    return {name for g in generators for name in getattr(g, "sets_on_posts", ())}


def _same_but_text(old, new, relative, context, set_later, generator, pages):
    """NotHot unless the new post differs from the old only in its text or its title
    (and the address made from it)."""
    if type(new) is not type(old) or old.translations:
        raise NotHot(f"{relative} has translations")
    before, after = vars(old), vars(new)
    differ = {
        name for name in before.keys() | after.keys()
        if name not in TEXT | TITLE and not (name in set_later and name not in after)
        and not _equal(_only_fixed(name, before.get(name)), _only_fixed(name, after.get(name)))
    }  # fmt: skip
    if differ:
        raise NotHot(f"{relative}: more than its text changed ({', '.join(sorted(differ))})")
    if old.title != new.title or old.save_as != new.save_as or old.url != new.url:
        _may_rename(old, new, relative, context, generator, pages)
    # A file linked for the first time must be copied by a full build, and one no
    # longer linked may have to be removed by one.
    before, after = old.get_static_links(), new.get_static_links()
    if any(link not in context["static_content"] for link in after - before):
        raise NotHot(f"{relative} links a file the site does not have yet")
    if before - after:
        raise NotHot(f"{relative} no longer links a file")


def _only_fixed(name, value):
    """The metadata an edit in memory may not change: all but the summary and title."""
    if name == "metadata" and isinstance(value, dict):
        return {key: item for key, item in value.items() if key not in METADATA_EDITABLE}
    return value


def _may_rename(old, new, relative, context, generator, pages):
    """NotHot unless a new title (and address) changes nothing but what shows the post:
    the same place in the lists and among translations (Pelican groups posts by slug
    before it sorts them: posts of the same date are in slug order), no other page at
    the new address, no link to the post by its file name (`{filename}`), whose address
    is written into the linking text."""
    settings = old.settings
    if isinstance(generator, ArticlesGenerator):
        listed, key, order = generator.articles, "ARTICLE_TRANSLATION_ID", "ARTICLE_ORDER_BY"
    else:
        listed, key, order = generator.pages, "PAGE_TRANSLATION_ID", "PAGE_ORDER_BY"
    others = [new if item is old else item for item in [*listed, *generator.translations]]
    with _held_messages():  # said by the full build, if it comes to that
        index, translations = process_translations(others, translation_id=settings[key])
    index = order_content(index, settings[order])
    expected = [new if item is old else item for item in listed]
    if [id(i) for i in index] != [id(i) for i in expected] or {id(t) for t in translations} != {
        id(t) for t in generator.translations
    }:
        raise NotHot(f"{relative}: its new title moves it in the lists or its translations")
    if new.save_as != old.save_as and (
        new.save_as in pages or os.path.exists(os.path.join(context["OUTPUT_PATH"], new.save_as))
    ):
        raise NotHot(f"{relative}: its new address {new.save_as} is taken")
    name, url = os.path.basename(old.source_path), old.url
    for item in context["generated_content"].values():
        if item is None or item is old:
            continue
        texts = (getattr(item, "_content", "") or "", str(item.metadata.get("summary", "")))
        if any(name in text or (url and url in text) for text in texts):
            raise NotHot(f"{relative}: {item.get_relative_source_path()} links to it")


def _equal(a, b) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:  # noqa: BLE001 - values that cannot be compared: not the same
        return False


def _replace(old, new, context, generators, calls):
    """Put `new` wherever the site holds `old`: the context's lists and maps, Pelican's
    generators', and the recorded write_file calls' arguments. (Plugin generators read
    posts from the context, or make their lists again: `sets_on_posts`; their own
    caches, keyed by post, must see the new post as new.)"""
    seen = set()
    _swap(context, old, new, seen)
    for generator in generators:
        if not isinstance(generator, PELICAN_WRITES):
            continue
        for name, value in vars(generator).items():
            if name not in {"context", "settings", "env", "readers", "_cache", "theme"}:
                swapped = _swap(value, old, new, seen)
                if swapped is not value:
                    setattr(generator, name, swapped)
    for call in calls:
        call.kwargs = _swap(call.kwargs, old, new, seen)
        call.paginated = _swap(call.paginated, old, new, seen)


def _readdress(writer, new, old_name):
    """The post's own page, at its new address (a new title)."""
    call = writer.calls.get(old_name)
    if new.save_as == old_name or call is None:
        return
    if call.kwargs.get("article") is new or call.kwargs.get("page") is new:
        del writer.calls[old_name]
        call.name, call.url = new.save_as, new.url
        writer.calls[new.save_as] = call


def _remove_old_files(output, store, generators, old, new):
    """After a new title: the post's old page, and the files plugins made for it there
    (`files_of`: its calendar file, its card), with the folders left empty."""
    from incremental import prune

    def made_for(post):
        found = {post.save_as}
        for generator in generators:
            found.update(getattr(generator, "files_of", lambda _post: ())(post))
        return found

    gone = sorted(made_for(old) - made_for(new))
    for name in gone:
        store.old.pop(name, None)
    prune.remove(output, [name for name in gone if os.path.isfile(os.path.join(output, name))])


def _swap(value, old, new, seen, depth=0):
    """`value` with `old` replaced by `new` in its lists, dicts and sets (in place) and
    tuples (a new tuple). Posts and other objects are not looked into."""
    if value is old:
        return new
    if depth > 8 or not isinstance(value, (list, dict, tuple, set)) or id(value) in seen:
        return value
    if isinstance(value, tuple):
        items = [_swap(item, old, new, seen, depth + 1) for item in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return type(value)._make(items) if hasattr(value, "_make") else type(value)(items)
    seen.add(id(value))
    if isinstance(value, list):
        for i, item in enumerate(value):
            value[i] = _swap(item, old, new, seen, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            value[key] = _swap(item, old, new, seen, depth + 1)
    elif any(item is old for item in value):
        value.discard(old)
        value.add(new)
    return value


CONTAINERS = (list, dict, tuple, set)


def _reaches(value, obj, seen, depth=0) -> bool:
    """Whether `obj` is in `value`'s lists, dicts, tuples and sets (at any depth), or
    in a page of a list (as the writer's signatures see them)."""
    if value is obj:
        return True
    if isinstance(value, PaginatorPage):
        value = value.object_list
    if depth > 8 or not isinstance(value, CONTAINERS) or id(value) in seen:
        return False
    seen.add(id(value))
    items = list(value.values()) if isinstance(value, dict) else value
    if any(item is obj for item in items):
        return True
    return any(_reaches(item, obj, seen, depth + 1) for item in items
               if isinstance(item, CONTAINERS))  # fmt: skip


def _write_again(writer, generators, posts, added=()) -> int:
    """Make again the write_file calls whose pages show one of `posts` or the `added`
    ones, then run the plugins' generators; the writer renders only the pages whose
    signature changed."""
    context = generators[0].context
    posts = [*posts, *added]
    site_wide = {
        name for name, value in context.items()
        if any(_reaches(value, post, set()) for post in posts)
    }  # fmt: skip
    todo = [
        call for call in writer.calls.values()
        if isinstance(call.owner, PELICAN_WRITES) and (
            call.names & site_wide
            or any(_reaches((call.kwargs, call.paginated), post, set()) for post in posts)
        )
    ]  # fmt: skip
    _start_writing(writer)
    focus = Focus(posts, added)
    paginated = writer.settings["PAGINATED_TEMPLATES"]
    shared = [context[name] for name in site_wide]
    try:
        for call in todo:
            whole = call.names & site_wide
            # The call's own values, not the site's lists given to it again.
            own = {k: v for k, v in call.kwargs.items() if not holds(shared, v)}
            if (
                whole
                and not _paginated(call, paginated)
                and not any(_reaches((own, call.paginated), post, set()) for post in posts)
            ):
                # A page here only for a site-wide list (the archives: every post's
                # title): after "Done:".
                _later[id(call)] = (call, None)
                continue
            # Every page of the call if it is here for a site-wide value; else the pages
            # whose own values show a post.
            writer.focus = None if whole else focus
            if whole or added:  # the first pages of a list now, the others after "Done:"
                writer.focus = First(writer.focus, posts, _later)
            writer.write_again(call)
    finally:
        writer.focus = None
    for generator in generators:
        if not isinstance(generator, PELICAN_WRITES) and hasattr(generator, "generate_output"):
            generator.generate_output(writer)
    return writer.rendered


def _start_writing(writer):
    """The writer, to write again some pages of the site it wrote."""
    writer.store.reopen()
    writer.pages = None  # the page cache is for builds into an empty folder
    writer.rendered = writer.skipped = writer.restored = 0
    writer._shared.clear()  # site-wide lists changed in place: signed again
    writer.signer._lists.clear()
    writer._written_files.clear()
    writer._overridden_files.clear()


def _write_later(writer) -> int:
    """The pages of lists a new post moved that were left for after "Done:" (`First`);
    the number of pages written."""
    if not _later:
        return 0
    _start_writing(writer)
    try:
        for call, numbers in list(_later.values()):
            writer.focus = None if numbers is None else Only(numbers)
            writer.write_again(call)
    finally:
        writer.focus = None
        _later.clear()
    return writer.rendered


_later = {}  # id(call) -> (call, {page numbers} or None for all): left for after "Done:"


def _paginated(call, paginated_templates) -> bool:
    """Whether the writer makes the call's pages as a list of pages (writer.py)."""
    lists = call.paginated or {k: v for k, v in call.kwargs.items() if k in {"articles", "dates"}}
    return bool(lists) and call.template_name in paginated_templates


class First:
    """Of the pages of a list a new post moved, or that is here for a site-wide value:
    the first, and those around the posts saved (what someone looking at them in the
    preview sees first); the others (every post after a new one moved on a place) are
    noted in `later`, written after "Done:"."""

    def __init__(self, inner, posts, later):
        self.inner, self.posts, self.later = inner, posts, later

    def shows(self, kwargs, names) -> bool:
        return self.inner is None or self.inner.shows(kwargs, names)

    def page_numbers(self, call, paginators, pages):
        chosen = pages if self.inner is None else self.inner.page_numbers(call, paginators, pages)
        first = {0}
        for paginator in paginators.values():
            for i, item in enumerate(paginator.object_list):
                if holds(self.posts, item):
                    n = min(i // paginator.per_page, paginator.num_pages - 1)
                    first |= {n - 1, n, n + 1}
        rest = {n for n in chosen if n not in first}
        if rest:
            numbers = self.later.setdefault(id(call), (call, set()))[1]
            if numbers is not None:
                numbers.update(rest)
        return [n for n in chosen if n in first]


class Only:
    """Of a list's pages, only these (the ones `First` left)."""

    def __init__(self, numbers):
        self.numbers = numbers

    def shows(self, kwargs, names) -> bool:
        return True

    def page_numbers(self, call, paginators, pages):
        return [n for n in pages if n in self.numbers]


class Focus:
    """The posts an edit changed or added, for the writer: which pages of a list to
    look at."""

    def __init__(self, posts, added=()):
        self.posts = posts
        self.added = added

    def shows(self, kwargs, names) -> bool:
        """Whether a page's own values that its templates looked up show a post (or,
        for a post added, are a list it moved on: the page of a list that holds it)."""
        return any(
            _reaches(kwargs[name], post, set())
            for name in names
            if name in kwargs
            for post in self.posts
        ) or any(
            isinstance(kwargs[name], Paginator) and holds(kwargs[name].object_list, post)
            for name in names
            if name in kwargs
            for post in self.added
        )

    def page_numbers(self, call, paginators, pages):
        """The pages of a list (0-based) whose part of it holds a post, or the part
        before or after (a page signs its neighbours' too): every page if they look up
        a value of the call itself that holds one (the whole list)."""
        if self.shows(call.kwargs, call.names):
            return pages
        numbers = set()
        for paginator in paginators.values():
            # A post added to a list moves every post after it, and may make a page
            # more ("page 2 of 7"): every page.
            if any(item is post for item in paginator.object_list for post in self.added):
                return pages
            for i, item in enumerate(paginator.object_list):
                if any(item is post for post in self.posts):
                    # Pelican's last page takes the orphans.
                    n = min(i // paginator.per_page, paginator.num_pages - 1)
                    numbers |= {n - 1, n, n + 1}
        return sorted(n for n in numbers if n in pages)


@contextmanager
def _held_messages():
    """Messages logged while a file is read again, said only if the edit is applied
    (the full build that follows a NotHot says them itself)."""
    held = Held()
    root = logging.getLogger()
    # With no handler (`--log-handler plain`), Python prints to stderr itself; a
    # handler that holds the messages stands in for it meanwhile.
    added = Holder(held) if not root.handlers else None
    if added is not None:
        root.addHandler(added)
    handlers = list(root.handlers)
    for handler in handlers:
        handler.addFilter(held)
    try:
        yield held
    finally:
        for handler in handlers:
            handler.removeFilter(held)
        if added is not None:
            root.removeHandler(added)
        held.holding = False


class Held(logging.Filter):
    def __init__(self):
        super().__init__()
        self.records = []
        self.holding = True

    def filter(self, record):
        if self.holding:
            if not self.records or self.records[-1] is not record:
                self.records.append(record)
            return False
        return True

    def say(self):
        # To the handlers only: the loggers' own filters (Pelican's, which say each
        # message once) have seen these records already.
        for record in self.records:
            logging.getLogger(record.name).callHandlers(record)


class Holder(logging.Handler):
    def __init__(self, held):
        super().__init__()
        self.held = held

    def emit(self, record):
        pass  # held by the filter
