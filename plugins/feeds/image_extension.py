"""A feedgen extension writing the post image and its files the way feed readers expect.

feedgen's own `enclosure()` comes out in Atom as a bare `<link href>` (its rel, type
and length are dropped), which readers take as a second entry link. This writes a
proper `<link rel="enclosure">` in Atom, `<enclosure>` in RSS, and in both a Media
RSS `<media:content>` whose `<media:description>` carries the image's alt text.

An entry's files (a brochure's PDF, large print and EPUB) are each an Atom
`<link rel="enclosure">` with its title, and each a `<media:content>` in RSS. RSS has
room for one `<enclosure>` per item (the RSS Advisory Board's profile,
https://www.rssboard.org/rss-profile#element-channel-item-enclosure): the image, or
when there is none the first file.
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
        self.files = ()  # entries.File

    def set(self, image, files=()):
        self.image = image
        self.files = tuple(files)

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

    def _file_media(self, parent, file):
        content = xml_elem(f"{{{MEDIA_NS}}}content", parent)
        content.set("url", file.url)
        content.set("type", file.type)
        content.set("fileSize", str(file.length))
        content.set("medium", "document")
        if file.title:
            title = xml_elem(f"{{{MEDIA_NS}}}title", content)
            title.set("type", "plain")
            title.text = file.title

    def extend_atom(self, entry):
        if self.image:
            link = xml_elem("link", entry)  # feedgen writes Atom in the default namespace
            link.set("rel", "enclosure")
            link.set("href", self.image.url)
            link.set("type", self.image.type)
            link.set("length", str(self.image.length))
            self._media(entry)
        for file in self.files:
            link = xml_elem("link", entry)
            link.set("rel", "enclosure")
            link.set("href", file.url)
            link.set("type", file.type)
            link.set("length", str(file.length))
            if file.title:
                link.set("title", file.title)
        return entry

    def extend_rss(self, item):
        first = self.image or (self.files[0] if self.files else None)
        if first:
            enclosure = xml_elem("enclosure", item)
            enclosure.set("url", first.url)
            enclosure.set("length", str(first.length))
            enclosure.set("type", first.type)
        if self.image:
            self._media(item)
        for file in self.files:
            self._file_media(item, file)
        return item
