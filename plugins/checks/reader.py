"""A Markdown reader that explains unreadable files and bad dates, with file and line."""

import logging

from markdown import Markdown
from pelican.readers import MarkdownReader

from .findings import ContentError, Finding
from .source import line_of_offset, metadata_line, read_text

logger = logging.getLogger(__name__)

DATE_KEYS = ("date", "modified")
DATE_FIX = "Write the date as YYYY-MM-DD HH:MM, for example 2026-03-14 10:30."


class CheckedMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, with errors that say where and how to fix them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._reading = None  # the file being read, while read() runs
        # source path -> (html, raw front matter): Markdown already converted elsewhere
        # (plugins/parallel, on the other cores); read() finishes the job here.
        self.prepared = {}

    def read(self, source_path):
        self._reading = source_path
        try:
            if source_path in self.prepared:
                return self._finish(source_path, *self.prepared.pop(source_path))
            return super().read(source_path)
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
        finally:
            self._reading = None

    def _finish(self, source_path, content, meta):
        """What MarkdownReader.read does after converting: the front matter."""
        self._source_path = source_path
        self._md = Markdown(**self.settings["MARKDOWN"])
        return content, self._parse_metadata(meta) if meta else {}

    def process_metadata(self, name, value):
        try:
            return super().process_metadata(name, value)
        except (ValueError, TypeError, OverflowError) as err:
            if self._reading is None:
                raise
            text = read_text(self._reading)
            fix = DATE_FIX if name in DATE_KEYS else "Correct the value."
            raise _located(
                Finding(
                    self._reading, metadata_line(text, name),
                    f"{name.title()}: {value!r} cannot be understood ({err}).", fix,
                )
            ) from None  # fmt: skip


def _located(finding: Finding) -> ContentError:
    """Log the finding (Pelican's own message only names the file), then fail the file."""
    logger.error("%s", finding)
    return ContentError(finding)
