"""A feedgen extension writing the post image the way feed readers expect.

feedgen's own `enclosure()` comes out in Atom as a bare `<link href>` (its rel, type
and length are dropped), which readers take as a second entry link. This writes a
proper `<link rel="enclosure">` in Atom, `<enclosure>` in RSS, and in both a Media
RSS `<media:content>` whose `<media:description>` carries the image's alt text.
"""

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem

MEDIA_NS = "http://search.yahoo.com/mrss/"


class ImageExtension(BaseExtension):
    def extend_ns(self):
        return {"media": MEDIA_NS}


class ImageEntryExtension(BaseEntryExtension):
    def __init__(self):
        self.image = None  # an entries.Image

    def set(self, image):
        self.image = image

    def _media(self, parent):
        image = self.image
        content = xml_elem(f"{{{MEDIA_NS}}}content", parent)
        content.set("url", image.url)
        content.set("type", image.type)
        content.set("fileSize", str(image.length))
        content.set("medium", "image")
        if image.alt:
            description = xml_elem(f"{{{MEDIA_NS}}}description", content)
            description.set("type", "plain")
            description.text = image.alt

    def extend_atom(self, entry):
        if self.image:
            link = xml_elem("link", entry)  # feedgen writes Atom in the default namespace
            link.set("rel", "enclosure")
            link.set("href", self.image.url)
            link.set("type", self.image.type)
            link.set("length", str(self.image.length))
            self._media(entry)
        return entry

    def extend_rss(self, item):
        if self.image:
            enclosure = xml_elem("enclosure", item)
            enclosure.set("url", self.image.url)
            enclosure.set("length", str(self.image.length))
            enclosure.set("type", self.image.type)
            self._media(item)
        return item
