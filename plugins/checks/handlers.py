"""Signal handlers: where the checks meet Pelican (logging is the only I/O)."""

import logging

from pelican.contents import Article, Page

from .colours import check_colours
from .content import KNOWN_METADATA_KEYS, check_images, check_metadata_keys
from .reader import CheckedMarkdownReader
from .source import read_text

logger = logging.getLogger(__name__)


def check_settings(pelican):
    for problem in check_colours(pelican.settings.get("LIBRARY", {}).get("colours", {})):
        logger.error("pelicanconf.py: %s", problem)


def use_checked_readers(readers):
    for ext in CheckedMarkdownReader.file_extensions:
        readers.reader_classes[ext] = CheckedMarkdownReader


def check_content(instance):
    if not isinstance(instance, (Article, Page)) or not instance.source_path:
        return
    settings = instance.settings
    path = instance.source_path
    text = read_text(path)
    known = KNOWN_METADATA_KEYS | {k.lower() for k in settings.get("METADATA_KEYS", ())}
    findings = check_metadata_keys(instance.metadata, known, text, path)
    findings += check_images(instance._content, instance.metadata, text, path, settings["PATH"])
    for finding in findings:
        (logger.error if finding.error else logger.warning)("%s", finding)
