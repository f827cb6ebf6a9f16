"""Brochures: read from content/brochures/, written as a reading view and a PDF."""

import functools
import itertools
import logging
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from urllib.parse import unquote, urlsplit

from checks.dates import DateError, read_date, site_date_order
from checks.findings import Finding
from checks.site import duplicate_addresses
from checks.source import line_containing, metadata_line, read_text
from feeds.text import clean, plain
from pelican import signals
from pelican.generators import Generator
from pelican.utils import get_relative_path

from . import large_print
from .content import Brochure, Section, split_sections
from .epub import Book, identifier, make_epub, modified, package
from .pdf import human_size, local_images, make_pdf, site_file, tidy
from .repeats import when

logger = logging.getLogger(__name__)


class BrochuresGenerator(Generator):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.brochures = []
        site = (self.settings.get("SITEURL") or "").rstrip("/")
        self.siteurl = site if site.startswith("http") else "http://127.0.0.1:8000"

    def generate_context(self):
        for path in self.get_files(self.settings.get("BROCHURE_PATHS", ["brochures"])):
            try:
                brochure = self.readers.read_file(
                    base_path=self.path,
                    path=path,
                    content_class=Brochure,
                    context=self.context,
                    preread_signal=signals.page_generator_preread,
                    preread_sender=self,
                    context_signal=signals.page_generator_context,
                    context_sender=self,
                )
            except Exception:
                logger.exception("Could not process %s", path, exc_info=self.settings.get("DEBUG"))
                continue
            if not brochure.is_valid() or brochure.status != "published":
                continue
            if not self._valid(brochure):
                continue
            self.add_source_path(brochure)
            self.add_static_links(brochure)
            self.brochures.append(brochure)
        self.brochures, findings = duplicate_addresses(self.brochures)
        for finding in findings:
            logger.error("%s", finding)
        self.brochures.sort(key=lambda b: getattr(b, "date", None) or datetime.min, reverse=True)
        self.context["brochures"] = self.brochures
        self.context["brochures_url"] = self.settings.get("BROCHURES_URL", "brochures/")

    def _valid(self, brochure) -> bool:
        """Located errors for a brochure that cannot be made."""
        text, path = read_text(brochure.source_path), brochure.source_path
        problems = []
        if not split_sections(brochure._content)[1] and not brochure.metadata.get("events-from"):
            problems.append(
                Finding(
                    path,
                    None,
                    "The brochure has no sections.",
                    "Start each section with a second-level heading: ## Section title.",
                )
            )
        if not brochure.metadata.get("cover") and metadata_line(text, "cover") is None:
            problems.append(
                Finding(
                    path,
                    metadata_line(text, "title"),
                    "The brochure has no Cover.",
                    "Add Cover: images/name.jpg and Cover-Alt: describing it.",
                )
            )
        problems += self._events_dates(brochure, text)
        for problem in problems:
            logger.error("%s", problem)
        # A Cover: that is not a picture in content/ is gone: the checks plugin said why.
        return not problems and bool(brochure.metadata.get("cover"))

    def _events_dates(self, brochure, text) -> list[Finding]:
        """Events-From and Events-To, read by the site's date rule (checks.dates) into
        `brochure.events_between`."""
        days, problems = [], []
        for key in ("events-from", "events-to"):
            value = brochure.metadata.get(key)
            try:
                days.append(_day(value, site_date_order(self.settings)) if value else None)
            except DateError as err:
                problems.append(
                    Finding(
                        brochure.source_path, metadata_line(text, key),
                        f"{key.title()}: {err.problem}", err.fix,
                    )
                )  # fmt: skip
        if not problems:
            brochure.events_between = tuple(days)
        return problems

    def generate_output(self, writer):
        """Each brochure's PDF and reading view, then the list of brochures. What they
        are made of (sections, the PDF's address and size) is given to the templates
        with each page, never set on the brochures: every page's header lists them, and
        the incremental writer signs what a page reads once per build."""
        cache_dir = os.path.join(self.settings["CACHE_PATH"], "brochures")
        used = set()  # the cached PDFs of this build's brochures; the others are removed
        if not self.brochures:
            tidy(cache_dir, used)
            return
        print_template = self.get_template("brochure_print")
        css_path = os.path.join(self.theme, "static", "css", "brochure-print.css")
        with open(css_path, encoding="utf-8") as f:
            print_css = f.read()
        page_size = self.settings.get("BROCHURES_PAGE_SIZE", "A5")
        roots = [self.path, os.path.join(self.theme, "static"), self.output_path]
        pdfs = {}
        epubs = {}  # what an EPUB could not be made of is left out: its brochure is kept
        edition, large_prints = large_print.edition(self.settings, self.theme), {}
        for brochure in self.brochures:
            # The PDF needs absolute addresses; the reading view the site's own kind.
            intro, sections = split_sections(brochure.get_content(self.siteurl))
            sections += self._events_sections(brochure, self.siteurl)
            here = self._siteurl_for(brochure)
            reading_intro, reading = split_sections(brochure.get_content(here))
            reading += self._events_sections(brochure, here)
            pdf_path = os.path.join(os.path.dirname(brochure.save_as), f"{brochure.slug}.pdf")
            values = dict(
                brochure=brochure,
                intro=intro,
                sections=sections,
                print_css=print_css,
                page_size=page_size,
                cover=self._cover_url(brochure),
                cover_title=keep_together(brochure.title),
                online=self.settings.get("SITEURL", "").startswith(("https://", "http://")),
            )
            html = print_template.render({**self.context, "SITEURL": self.siteurl}, **values)
            html, files = local_images(html, self.siteurl, roots)
            rendered = make_pdf(
                html,
                files,
                os.path.join(self.output_path, pdf_path),
                cache_dir,
                self.settings.get("BROCHURES_PDF_VARIANT", "pdf/ua-1"),
                [self.path, self.theme, self.output_path],  # never other files or websites
                functools.partial(report_refused, brochure.source_path),
                used,
            )
            logger.info("brochures: %s %s", "rendered" if rendered else "reused", pdf_path)
            pdf = Download.made(
                self.output_path, pdf_path, f"Printable PDF ({page_size})", "application/pdf"
            )
            pdfs[brochure.source_path] = pdf
            epub = epubs[brochure.source_path] = self._epub(brochure, intro, sections, used)
            large_prints[brochure.source_path] = self._large_print(
                brochure, print_template, values, edition, cache_dir, used, roots
            )
            # The brochures feed (written after this generator) offers the same files.
            offered = (pdf, large_prints[brochure.source_path], epub)
            brochure.feed_files = tuple(
                (d.url, d.type, d.length, d.title) for d in offered if d is not None
            )
            writer.write_file(
                brochure.save_as,
                self.get_template(brochure.template),
                self.context,
                brochure=brochure,
                page=brochure,
                intro=reading_intro,
                sections=reading,
                pdf=pdf,
                epub=epub,
                large_print_pdf=large_prints[brochure.source_path],
                relative_urls=self.settings["RELATIVE_URLS"],
                url=brochure.url,
            )
        tidy(cache_dir, used)
        url = self.context["brochures_url"]
        writer.write_file(
            os.path.join(url, "index.html"),
            self.get_template("brochures"),
            self.context,
            brochure_pdfs=[(b, pdfs[b.source_path]) for b in self.brochures],
            brochure_epubs=epubs,
            large_prints=large_prints,
            relative_urls=self.settings["RELATIVE_URLS"],
            url=url,
        )

    def _epub(self, brochure, intro, sections, used) -> "Download | None":
        """The brochure's EPUB beside its PDF (plugins/brochures/epub.py): its first page
        (the cover, the intro), a file per section, the library's page last."""
        path = os.path.join(os.path.dirname(brochure.save_as), f"{brochure.slug}.epub")
        online = self.settings.get("SITEURL", "").startswith(("https://", "http://"))
        values = {**self.context, "SITEURL": self.siteurl, "brochure": brochure, "online": online}
        roots = [self.path, os.path.join(self.theme, "static"), self.output_path]
        report = functools.partial(report_refused, brochure.source_path, edition="EPUB")
        online_url, cover = f"{self.siteurl}/{brochure.url}", self._cover_url(brochure)
        try:
            first = self.get_template("partials/brochure_epub_cover").render(
                values, intro=intro, cover=cover
            )
            last = self.get_template("partials/brochure_epub_back").render(values)
            parts = [("part-00.xhtml", brochure.title, first)]
            parts += [(f"part-{n:02d}.xhtml", s.title, s.html) for n, s in enumerate(sections, 1)]
            parts.append(("part-back.xhtml", self.settings.get("SITENAME", ""), last))
            parts, files = package(parts, online_url, self.siteurl, roots, report)
            cover_file = site_file(cover, self.siteurl, roots)
            book = Book(
                identifier=identifier(online_url),
                title=clean(brochure.title),
                language=brochure.lang or self.settings.get("DEFAULT_LANG", "en"),
                library=clean(self.settings.get("SITENAME", "")),
                modified=modified(brochure),
                date=f"{brochure.date:%Y-%m-%d}" if getattr(brochure, "date", None) else "",
                summary=plain(brochure.summary),
                cover=next((n for n, f in files.items() if f == cover_file), ""),
                parts=tuple(parts),
                images=tuple(files),
            )
            cache_dir = os.path.join(self.settings["CACHE_PATH"], "brochures")
            made = make_epub(book, files, os.path.join(self.output_path, path), cache_dir, used)
        except Exception as err:  # one brochure's EPUB never stops the others, nor its PDF
            self._not_made(brochure, "EPUB", err, "The page and the PDF are")
            return None
        logger.info("brochures: %s %s", "rendered" if made else "reused", path)
        return Download.made(self.output_path, path, "EPUB", "application/epub+zip")

    def _large_print(self, brochure, template, values, edition, cache_dir, used, roots):
        """The large-print PDF beside the A5 one (large_print.py): the same template and
        values, cached the same way; None when it cannot be made (said, with the file),
        and the build goes on."""
        url = os.path.join(os.path.dirname(brochure.save_as), large_print.pdf_name(brochure.slug))
        target = os.path.join(self.output_path, url)
        counted = {}
        try:
            html = template.render(
                {**self.context, "SITEURL": self.siteurl},
                **large_print.template_values(values, edition),
            )
            html, files = local_images(html, self.siteurl, roots)
            rendered = make_pdf(
                html, files, target, cache_dir,
                self.settings.get("BROCHURES_PDF_VARIANT", "pdf/ua-1"),
                [self.path, self.theme, self.output_path],
                lambda url: None,  # the same links as the A5 PDF, which said what it refused
                used, counted,
            )  # fmt: skip
        except Exception as err:  # one brochure's large print never stops the others
            self._not_made(brochure, "large-print PDF", err, "The page, the PDF and the EPUB are")
            return None
        logger.info("brochures: %s %s", "rendered" if rendered else "reused", url)
        return Download.made(
            self.output_path, url, "Large print PDF (A4)", "application/pdf", counted["pages"]
        )

    def _not_made(self, brochure, edition, err, others):
        """Say, at the brochure's file, that one of its editions could not be made."""
        finding = Finding(
            brochure.source_path, None, f"The {edition} could not be made: {err}",
            f"{others} made without it; `make html PELICANOPTS=--debug` shows where it "
            "failed: report it with that.",
        )  # fmt: skip
        logger.error("%s", finding, exc_info=self.settings.get("DEBUG"))

    def _cover_url(self, brochure):
        cover = (brochure.metadata.get("cover") or "").replace("{static}", "").lstrip("/")
        return f"{self.siteurl}/{cover}"

    def _siteurl_for(self, brochure):
        if self.settings["RELATIVE_URLS"]:
            return get_relative_path(brochure.save_as).rstrip("/") or "."
        return self.settings["SITEURL"]

    def _events_sections(self, brochure, siteurl) -> list[Section]:
        """A "What's on" brochure: the events between Events-From and Events-To, a
        section per month, from the events plugin."""
        start, end = getattr(brochure, "events_between", (None, None))
        if not start or not end:
            return []
        articles = [a for a in self.context.get("articles", []) if getattr(a, "event", None)]
        if not articles:
            return []
        tz = articles[0].event.tz
        after = datetime.combine(start, time.min, tz)
        before = datetime.combine(end, time.max, tz)
        found = sorted(
            ((s, e, a) for a in articles for s, e in a.event.occurrences(after, before)),
            key=lambda item: (item[0], item[2].title),
        )
        # A repeating event is said once ("Every Friday, ..."), in its own section
        # before the months; the months list what happens once.
        shown = {}
        for s, e, a in found:
            shown.setdefault(a.source_path, []).append((s, e))
        repeating = {path for path, dates in shown.items() if len(dates) > 1}
        template = self.get_template("partials/brochure_events")
        sections = []
        regular = [
            (s, e, a, when(a.event, shown[a.source_path]))
            for s, e, a in found
            if a.source_path in repeating and shown[a.source_path][0][0] == s
        ]
        if regular:
            title = "Every week and every month"
            html = template.render(
                {**self.context, "SITEURL": siteurl},
                title=title,
                section_id="events-regular",
                items=regular,
            )
            sections.append(Section("events-regular", title, html))
        once = [(s, e, a, None) for s, e, a in found if a.source_path not in repeating]
        for (year, month), items in itertools.groupby(once, key=lambda i: (i[0].year, i[0].month)):
            items = list(items)
            title = f"{items[0][0]:%B %Y}"
            html = template.render(
                {**self.context, "SITEURL": siteurl},
                title=title,
                section_id=f"events-{year}-{month:02d}",
                items=items,
            )
            sections.append(Section(f"events-{year}-{month:02d}", title, html))
        return sections


NBSP = "\u00a0"
RANGE = re.compile(r"(\S*\d\S*) (to|and|-|–) (\S*\d\S*)")


def keep_together(title: str) -> str:
    """A cover title that never breaks inside a range ("2026 to 2027", "10am to 2pm")
    nor leaves its last word alone on a line."""
    title = RANGE.sub(lambda m: NBSP.join(m.groups()), title)
    head, _, last = title.rpartition(" ")
    return f"{head}{NBSP}{last}" if head and len(last) < 12 else title


def report_refused(path, url, edition="PDF"):
    """A file or address the PDF (or EPUB) of `path` asked for, outside the site's folders."""
    text, name = read_text(path), unquote(urlsplit(url).path)
    line = line_containing(text, url) or line_containing(text, os.path.basename(name)) or None
    finding = Finding(
        path, line,
        f"The {edition} was made without {url}: it is not a file of the site (only files in "
        f"content/ and the theme go into {'an' if edition[0] in 'AEIOU' else 'a'} {edition}).",
        "Remove the link, or put the file in content/ and link it as {static}/name.pdf.",
    )  # fmt: skip
    logger.error("%s", finding)


@dataclass(frozen=True)
class Download:
    """A brochure's file to download (its printable PDF, its large print, its
    EPUB): its address in the site, its size in bytes, what it is, and (the large
    print's) its number of pages. Offered on the brochure's page, in the brochures
    index, and in the brochures feed (its entry's enclosures)."""

    url: str
    length: int
    title: str  # "Large print PDF (A4)"
    type: str  # its MIME type
    pages: int | None = None

    @property
    def size(self) -> str:
        """Its size for people: "45 KB"."""
        return human_size(self.length)

    @classmethod
    def made(cls, output_path, url, title, kind, pages=None) -> "Download":
        return cls(url, os.path.getsize(os.path.join(output_path, url)), title, kind, pages)


def _day(value, date_order) -> date:
    return value.date() if isinstance(value, datetime) else read_date(value, date_order).date()
