"""Checks: tell staff what is wrong with a post, where, and how to fix it.

Every finding names the file and line (`content/posts/x.md:4`). Errors are
logged at ERROR level: a development build carries on with every other post,
and `make publish` (pelican --fatal errors) stops instead of going live
without the post.
"""

from pelican import signals

from .handlers import (
    check_content,
    check_new_names,
    check_settings,
    drop_duplicate_addresses,
    drop_duplicate_pages,
    drop_outside_static,
    only_files_inside,
    use_checked_readers,
)


def register():
    # Before anything is read: the library's own settings (brand colours).
    signals.initialized.connect(check_settings)
    # Every generator lists only files inside content/, symlinks resolved.
    signals.generator_init.connect(only_files_inside)
    # Swap in readers that turn unreadable files and bad dates into located errors.
    signals.readers_init.connect(use_checked_readers)
    # Every post and page, fresh or from the content cache, so findings are never hidden.
    signals.content_object_init.connect(check_content)
    # Two posts at one address: keep the first, report the other, build the rest.
    signals.article_generator_pretaxonomy.connect(drop_duplicate_addresses)
    # Every post read: a new category or tag that looks like a typo of one in use.
    signals.article_generator_finalized.connect(check_new_names)
    signals.page_generator_finalized.connect(drop_duplicate_pages)
    # A {static} link to a file outside content/ is not copied.
    signals.static_generator_finalized.connect(drop_outside_static)
