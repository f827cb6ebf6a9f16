"""Signatures: a short hash of everything a value could show on a page.

Two builds give a page the same signature only if every value its template read is
the same. Anything that cannot be described reliably (an object whose repr is only
its address) gets a signature unique to this build, so the page is rendered again:
a wrong guess costs time, never a stale page.
"""

import datetime
import hashlib
import types
from itertools import count

from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper

# Never part of a value's signature: the whole site (the context) and the settings,
# which are signed once for every page (see `site_key`).
SKIP_ATTRS = frozenset({"_context", "settings"})
_unique = count()


class Signer:
    """Signs the values of one build. Contents are signed once and remembered (until
    an attribute is set again), so the list of every post costs one pass however many
    pages show it. Plugins give a page its own values as write_file arguments, and
    finish changing the site-wide ones before pages are written."""

    def __init__(self):
        self._contents = {}  # (id(content), level) -> its signature
        self._lists = {}  # id(list) -> (list, signature), the list kept alive

    def sign(self, value) -> str:
        parts = []
        self._add(value, parts, depth=0)
        return _digest(parts)

    def content(self, obj, depth=0) -> str:
        """A post's or page's signature: every attribute (text, metadata, URL, what
        plugins added). The contents it refers to (a neighbour, an event's page) are
        signed by their own attributes too, and theirs in turn only by address and
        title."""
        level = min(depth, 2)
        if level == 2:
            return _shallow(obj)
        attrs = vars(obj)
        known = self._contents.get((id(obj), level))
        if known is None or known[0] is not obj or known[1] != tuple(attrs.values()):
            parts = [type(obj).__qualname__, _linked_content(obj)]
            for name in sorted(attrs):
                if name not in SKIP_ATTRS:
                    parts.append(name)
                    self._add(attrs[name], parts, depth=level + 1)
            # Signed again if a plugin sets an attribute to another value after this (as
            # the brochures plugin once set a brochure's sections as it wrote its page).
            known = self._contents[(id(obj), level)] = (obj, tuple(attrs.values()), _digest(parts))
        return known[2]

    def _add(self, value, parts, depth):
        if value is None or isinstance(value, (bool, int, float, str, bytes)):
            parts.append(f"{type(value).__name__}:{value!r}")
        elif isinstance(value, Content):
            parts.append(self.content(value, depth))
        elif isinstance(value, URLWrapper):
            parts.append(f"{type(value).__name__}:{value.name!r}:{value.slug!r}:{value.url!r}")
        elif isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
            parts.append(f"{type(value).__name__}:{value.isoformat()}:{value!r}")
        elif isinstance(value, (list, tuple)):
            parts.append(self._sequence(value, depth))
        elif isinstance(value, (set, frozenset)):
            parts.append("set:" + ",".join(sorted(self.sign(v) for v in value)))
        elif isinstance(value, dict):
            parts.append("dict{")
            for key in sorted(value, key=repr):
                parts.append(repr(key))
                self._add(value[key], parts, depth)
            parts.append("}")
        elif isinstance(value, Page):
            parts.append(f"page:{value.name}:{value.url}:{value.number}")
            self._add(value.paginator, parts, depth)
            parts.append(self._sequence(value.object_list, depth))
        elif isinstance(value, Paginator):
            # Not its whole list: only what a page can show of it.
            parts.append(f"paginator:{value.name}:{value.url}:{value.per_page}")
            parts.append(f"{value.orphans}:{value.count}:{value.num_pages}")
        elif isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)):
            parts.append(f"fn:{value.__module__}.{value.__qualname__}")
        elif isinstance(value, types.ModuleType):
            parts.append(f"module:{value.__name__}")
        elif hasattr(value, "__dict__"):
            if depth > 3:  # deep object graphs: render again rather than guess
                parts.append(f"unsigned:{next(_unique)}")
                return
            parts.append(type(value).__qualname__ + "{")
            for name in sorted(vars(value)):
                if name not in SKIP_ATTRS:
                    parts.append(name)
                    self._add(vars(value)[name], parts, depth + 1)
            parts.append("}")
        else:
            text = repr(value)
            parts.append(f"unsigned:{next(_unique)}" if " at 0x" in text else text)

    def _sequence(self, items, depth):
        known = self._lists.get(id(items))
        if known is not None and known[0] is items:
            return known[1]
        parts = [type(items).__name__, str(len(items))]
        for item in items:
            self._add(item, parts, depth)
        signature = _digest(parts)
        if len(items) > 16:  # the site-wide lists: signed once per build
            self._lists[id(items)] = (items, signature)
        return signature


def _linked_content(obj) -> str:
    """The text with {filename}/{static} links resolved, when it has any: a page that
    links to a post must change when that post's address does."""
    text = getattr(obj, "_content", "") or ""
    if "{" not in text and "|" not in text:
        return ""
    try:
        return _digest([obj._update_content(text, "")])
    except Exception:  # noqa: BLE001 - any doubt: render the page again
        return f"unsigned:{next(_unique)}"


def _shallow(obj) -> str:
    return f"{type(obj).__qualname__}:{getattr(obj, 'source_path', '')}:{obj.url}:{obj.title}"


def _digest(parts) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()  # fmt: skip
