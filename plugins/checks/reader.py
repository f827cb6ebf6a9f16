"""Readers that read dates by the site's rule and explain unreadable files and bad
dates, with file and line."""

import logging

from markdown import Markdown
from markdown.preprocessors import Preprocessor
from pelican.readers import MarkdownReader
from pelican.utils import SafeDatetime

from .dates import DateError, read_date, site_date_order
from .findings import ContentError, Finding
from .source import line_of_offset, metadata_line, read_text

logger = logging.getLogger(__name__)

# Pelican's own dates (METADATA_PROCESSORS reads them with dateutil, month first).
DATE_KEYS = ("date", "modified")


class CheckedReading:
    """Mixin for a Pelican reader: Date and Modified read by the site's date rule
    (checks.dates), and metadata errors located at their line."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._reading = None  # the file being read, while read() runs
        self.date_order = site_date_order(self.settings)

    def read(self, source_path):
        self._reading = source_path
        try:
            return self.read_source(source_path)
        finally:
            self._reading = None

    def read_source(self, source_path):
        """The reader's own read(); subclasses add to it here."""
        return super().read(source_path)

    def process_metadata(self, name, value):
        try:
            if name in DATE_KEYS and isinstance(value, str):
                # Pelican's own processor also allows _ for a space in a file name's date.
                moment = read_date(value.replace("_", " "), self.date_order)
                return SafeDatetime.combine(moment.date(), moment.timetz())
            return super().process_metadata(name, value)
        except DateError as err:
            if self._reading is None:
                raise
            raise self._located(name, f"{name.title()}: {err.problem}", err.fix) from None
        except (ValueError, TypeError, OverflowError) as err:
            if self._reading is None:
                raise
            problem = f"{name.title()}: {value!r} cannot be understood ({err})."
            raise self._located(name, problem, "Correct the value.") from None

    def _located(self, name, problem, fix) -> ContentError:
        text = read_text(self._reading)
        return _located(Finding(self._reading, metadata_line(text, name), problem, fix))


def checked(reader_class):
    """`reader_class` with the date rule and located errors."""
    if issubclass(reader_class, CheckedReading):
        return reader_class
    if issubclass(reader_class, MarkdownReader):
        return CheckedMarkdownReader
    return type(f"Checked{reader_class.__name__}", (CheckedReading, reader_class), {})


class CheckedMarkdownReader(CheckedReading, MarkdownReader):
    """Pelican's Markdown reader, with errors that say where and how to fix them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # source path -> (html, raw front matter): Markdown already converted elsewhere
        # (plugins/parallel, on the other cores); read() finishes the job here.
        self.prepared = {}

    def read_source(self, source_path):
        try:
            if source_path in self.prepared:
                return self._finish(source_path, *self.prepared.pop(source_path))
            return super().read_source(source_path)
        except UnicodeDecodeError as err:
            with open(source_path, "rb") as f:
                line = line_of_offset(f.read(), err.start)
            raise _located(
                Finding(
                    source_path, line,
                    "The file is not saved as UTF-8 text, so some characters cannot be read.",
                    "Open it in your editor and save it with the encoding 'UTF-8'.",
                )
            ) from None  # fmt: skip

    def _finish(self, source_path, content, meta):
        """What MarkdownReader.read does after converting: the front matter. Its
        formatted fields (Summary) are converted by one Markdown object for every post,
        reset before each field (Pelican's _parse_metadata resets it)."""
        self._source_path = source_path
        md = getattr(self, "_metadata_md", None)
        if md is None:
            md = self._metadata_md = Markdown(**self.settings["MARKDOWN"])
        if "meta" not in md.preprocessors:
            # _parse_metadata takes out the front-matter step (strictly): put a step
            # of that name back for it to take out; it converts metadata, never a file.
            md.preprocessors.register(_Unchanged(md), "meta", 27)
        self._md = md
        return content, self._parse_metadata(meta) if meta else {}


class _Unchanged(Preprocessor):
    def run(self, lines):
        return lines


def _located(finding: Finding) -> ContentError:
    """Log the finding (Pelican's own message only names the file), then fail the file."""
    logger.error("%s", finding)
    return ContentError(finding)
