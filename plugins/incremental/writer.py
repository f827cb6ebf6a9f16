"""A Pelican writer that renders a page only when something it shows has changed.

Each page is written with the names its templates looked up (recorded by Jinja as it
renders: `article`, `pages`, `articles_page`...) and a signature of their values. On
the next build, a page whose file is still as it was written, and whose names have
the same signatures, is left alone: no rendering, no writing, no post-processing.
Everything else goes through Pelican's own writer code unchanged.
"""

import logging
import os
from dataclasses import dataclass, field

from blinker import signal
from jinja2.runtime import Context
from pelican import signals
from pelican.paginator import Paginator
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import Writer

from .signature import Signer, _digest

logger = logging.getLogger(__name__)
# Sent for each page left as it was, as `content_written` is for each page written, with
# the context it would have been rendered with: a plugin listing the site's pages (the
# sitemap) connects to both.
page_kept = signal("incremental_page_kept")
_looked_up = []  # the names being recorded for the page now rendering (a stack)
making = [None]  # the generator whose generate_output is running (see `owned`)


def owned(generator):
    """On `all_generators_finalized`: each generator's generate_output notes itself as
    the maker of the write_file calls it makes (the preview makes again only the calls
    of Pelican's own generators, and runs the plugins' again)."""
    run = getattr(generator, "generate_output", None)
    if run is None or getattr(run, "owned", False):
        return

    def generate_output(writer):
        making[0] = generator
        try:
            return run(writer)
        finally:
            making[0] = None

    generate_output.owned = True
    generator.generate_output = generate_output


class RecordingContext(Context):
    """Jinja's template context, noting each name a template (or its includes,
    parents and macros) looks up."""

    def resolve_or_missing(self, key):
        if _looked_up:
            _looked_up[-1].add(key)
        return super().resolve_or_missing(key)


@dataclass(eq=False)
class Call:
    """One write_file call: its arguments, and the names its pages looked up."""

    name: str
    template: object
    context: dict
    relative_urls: bool
    paginated: dict | None
    template_name: str | None
    override_output: bool
    url: str | None
    kwargs: dict
    owner: object = None  # the generator that made the call
    names: set = field(default_factory=set)


class CachingWriter(Writer):
    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings)
        self.store = None  # set by the plugin: the previous build's pages (manifest)
        self.signer = Signer()
        self.pages = None  # set by the plugin: the pages as last rendered (rendered.py)
        self.rendered = self.skipped = self.restored = 0
        self._shared = {}  # name -> (site-wide value, its signature)
        # Every write_file call of this build, with the names its pages looked up: the
        # preview writes again only the calls an edit reaches (plugins/preview/hot.py).
        # Kept only for the preview (`keep_calls`), which asks for them.
        self.calls = {}  # name -> Call (the last call for it)
        self.keep_calls = False
        # The preview, writing a call again (plugins/preview/hot.py): which pages of a
        # list can show what the edit changed (`page_numbers`), and whether a page's own
        # values do (`shows`: its kwargs, the names it looked up). The others are left.
        self.focus = None
        self._again = None  # the call write_again is making again

    def write_file(self, name, template, context, relative_urls=False, paginated=None,
                   template_name=None, override_output=False, url=None, **kwargs):  # fmt: skip
        """Pelican's Writer.write_file (4.12), with `_write_page` in place of its
        inner render-and-write."""
        if not name:
            return
        if self.store is None:
            return super().write_file(name, template, context, relative_urls, paginated,
                                      template_name, override_output, url, **kwargs)  # fmt: skip
        call = self._again
        if self.keep_calls and call is None:
            call = Call(name, template, context, relative_urls, paginated, template_name,
                        override_output, url, kwargs, making[0])  # fmt: skip
            self.calls.pop(name, None)
            self.calls[name] = call
        if paginated is None:
            paginated = {key: val for key, val in kwargs.items() if key in {"articles", "dates"}}
        if paginated and template_name in self.settings["PAGINATED_TEMPLATES"]:
            per_page = (
                self.settings["PAGINATED_TEMPLATES"][template_name]
                or self.settings["DEFAULT_PAGINATION"]
            )
            paginators = {
                key: Paginator(name, url, val, self.settings, per_page)
                for key, val in paginated.items()
            }
            pages = range(next(iter(paginators.values())).num_pages)
            if self.focus is not None:
                pages = self.focus.page_numbers(call, paginators, pages)
            for page_num in pages:
                paginated_kwargs = kwargs.copy()
                for key, paginator in paginators.items():
                    previous_page = paginator.page(page_num) if page_num > 0 else None
                    page = paginator.page(page_num + 1)
                    next_page = (
                        paginator.page(page_num + 2) if page_num + 1 < paginator.num_pages else None
                    )
                    paginated_kwargs.update(
                        {
                            f"{key}_paginator": paginator,
                            f"{key}_page": page,
                            f"{key}_previous_page": previous_page,
                            f"{key}_next_page": next_page,
                        }
                    )
                names = self._write_page(
                    template, context, page.save_as, paginated_kwargs, relative_urls,
                    override_output,
                )  # fmt: skip
                if call is not None:
                    call.names |= names
        else:
            names = self._write_page(
                template, context, name, kwargs, relative_urls, override_output
            )
            if call is not None:
                call.names |= names

    def write_again(self, call):
        """A call of the last build made again (the preview, after an edit), by the
        same generator. The call keeps the names its pages looked up: the pages the
        edit does not reach are not written, and still look them up."""
        making[0] = call.owner
        self._again = call
        try:
            self.write_file(call.name, call.template, call.context, call.relative_urls,
                            call.paginated, call.template_name, call.override_output, call.url,
                            **call.kwargs)  # fmt: skip
        finally:
            making[0] = None
            self._again = None

    def _write_page(self, template, context, name, kwargs, relative_urls, override) -> set:
        """Writes one page unless it would be as it is; returns the names it looks up."""
        if self.focus is not None:
            before = self.store.old.get(name)
            if before is not None and not self.focus.shows(kwargs, before["names"]):
                return set(before["names"])  # shows nothing the edit changed
        localcontext = context.copy()
        localcontext["localsiteurl"] = localcontext.get("localsiteurl", None)
        if relative_urls:
            relative_url = path_to_url(get_relative_path(name))
            localcontext["SITEURL"] = relative_url
            localcontext["localsiteurl"] = relative_url
        localcontext["output_file"] = name
        localcontext.update(kwargs)
        # As Pelican does: posts make their links relative to the page being written.
        if localcontext["localsiteurl"]:
            context["localsiteurl"] = localcontext["localsiteurl"]

        path = sanitised_join(self.output_path, name)
        before = self.store.get(name)
        key = self._same_inputs(before, localcontext, context, template, override)
        if key and self.store.unchanged_file(path, before):
            self.store.keep(name, path)
            self.skipped += 1
            page_kept.send(path, context=localcontext)
            return set(before["names"])
        # Not in the output as written (an empty output folder: a fresh clone, or a
        # publish build): the text it was rendered to, if the page cache has it.
        output = self.pages.get(name, key) if key and self.pages is not None else None
        restored = output is not None
        if restored:
            names = before["names"]
            self.restored += 1
        else:
            template.environment.context_class = RecordingContext
            _looked_up.append(set())
            try:
                output = template.render(localcontext)
            finally:
                names = sorted(_looked_up.pop())
            self.rendered += 1
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with self._open_w(path, "utf-8", override=override) as f:
            f.write(output)
        logger.info('Writing "%s"', path)
        signals.content_written.send(path, context=localcontext)
        if not restored:
            key = self._key(localcontext, context, names, template, override)
            if self.pages is not None:
                self.pages.put(name, key, output)
        self.store.record(name, path, template.name, names, key)
        if restored and "shows" in before:
            # The same text through the same post-processing: the same pictures.
            self.store.new[name]["shows"] = before["shows"]
        return set(names)

    def _same_inputs(self, before, localcontext, context, template, override) -> str | None:
        """The page's signature, if the last build wrote it from the same template and
        every name its templates looked up has the same signature; else None."""
        if not before or before["template"] != template.name:
            return None
        key = self._key(localcontext, context, before["names"], template, override)
        return key if key == before["key"] else None

    def _key(self, localcontext, context, names, template, override):
        parts = [template.name, str(override)]
        globals_ = template.environment.globals
        for name in names:
            value = localcontext[name] if name in localcontext else globals_.get(name)
            if value is not None and value is context.get(name):
                # A site-wide value (LIBRARY, pages...): signed once per build.
                known = self._shared.get(name)
                if known is None or known[0] is not value:
                    known = self._shared[name] = (value, self.signer.sign(value))
                parts += [name, known[1]]
            else:
                parts += [name, self.signer.sign(value)]
        return _digest(parts)
