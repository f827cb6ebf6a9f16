"""The email's two parts, made from one Edition. Pure: an Edition in, text out.

- `html_part`: the HTML part, from templates/email.html, its CSS written inline;
- `text_part`: the plain-text part, the same content in the same order, every link
  written out in full, lines wrapped at 72 characters (a URL is never broken).
"""

import os
import textwrap
from dataclasses import dataclass
from html import escape
from urllib.parse import unquote

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .edition import Edition
from .inline import inline_css

FONT = "font-family: Arial, Helvetica, sans-serif"


@dataclass(frozen=True)
class Palette:
    background: str
    text: str
    muted: str
    rule: str


# Dark-mode safe: every block says both its background and its text colour, so a
# client that inverts colours itself inverts them together, and one that honours
# `prefers-color-scheme` gets DARK below. Both keep 4.5:1 contrast or more.
LIGHT = Palette(background="#ffffff", text="#1a1a1a", muted="#4d4d4d", rule="#d0d0d0")
DARK = Palette(background="#121212", text="#f0f0f0", muted="#c4c4c4", rule="#444444")

_ENV = Environment(
    loader=FileSystemLoader(os.path.join(os.path.dirname(__file__), "templates")),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def styles(brand: str, p: Palette = LIGHT) -> list[tuple[str, str]]:
    """The inline rules: (selector, declarations)."""
    text = f"color: {p.text}"
    return [
        ("body", f"margin: 0; padding: 0; width: 100%; background-color: {p.background}; {text}"),
        ("table", "border-collapse: collapse"),
        ("td", f"{FONT}; font-size: 16px; line-height: 1.5; {text}"),
        ("p", f"margin: 0 0 12px; {text}"),
        ("li", f"margin: 0 0 6px; {text}"),
        ("ul", "margin: 0 0 12px; padding-left: 24px"),
        ("ol", "margin: 0 0 12px; padding-left: 24px"),
        ("h2", f"margin: 16px 0 8px; font-size: 22px; line-height: 1.3; {text}"),
        ("h3", f"margin: 16px 0 4px; font-size: 18px; line-height: 1.35; {text}"),
        ("a", f"color: {brand}; text-decoration: underline"),
        ("img", "border: 0; height: auto; max-width: 100%"),
        (".nb-outer", f"background-color: {p.background}; {text}"),
        (".nb-preheader", "display: none; max-height: 0; overflow: hidden; mso-hide: all"),
        (".nb-page", f"width: 100%; max-width: 600px; background-color: {p.background}"),
        (".nb-header", f"padding: 24px 32px; background-color: {brand}; color: #ffffff"),
        (".nb-site", "margin: 0 0 4px; font-weight: bold; color: #ffffff"),
        (".nb-title", "margin: 0 0 8px; font-size: 28px; line-height: 1.25; color: #ffffff"),
        (".nb-date", "margin: 0; color: #ffffff"),
        (".nb-header-link", "color: #ffffff; text-decoration: underline"),
        (
            ".nb-section",
            f"padding: 8px 32px 12px; border-top: 1px solid {p.rule}; "
            f"background-color: {p.background}; {text}",
        ),
        (".nb-h2", "margin: 16px 0 8px"),
        (".nb-meta", f"color: {p.muted}; font-size: 15px"),
        (".nb-strong", "font-weight: bold"),
        (".nb-cover", "display: block; width: 160px; margin: 8px 0"),
        (
            ".nb-footer",
            f"padding: 16px 32px 24px; border-top: 1px solid {p.rule}; "
            f"background-color: {p.background}; color: {p.muted}",
        ),
        (".nb-footer-text", f"color: {p.muted}; font-size: 15px"),
    ]


def html_part(edition: Edition) -> str:
    """The HTML part: a whole document, CSS inline."""
    html = _ENV.get_template("email.html").render(
        edition=edition, dark=DARK, preheader=edition.summary, unsubscribe=HTML_MARK
    )
    return inline_css(html, styles(edition.site.brand))


WIDTH = 72
# Where each copy's own way to unsubscribe goes, filled in as the copy is made
# (fill_unsubscribe). No text of the site can make either mark: titles are escaped and
# the intro loses its comments; feeds.text.clean takes NULs out of anything it says.
HTML_MARK = "<!--nb-unsubscribe-->"
TEXT_MARK = "\x00unsubscribe\x00"
# Links put in after the CSS was inlined: the footer's own colour, underlined.
_LINK = 'class="nb-link" style="color: inherit; text-decoration: underline"'


def fill_unsubscribe(html: str, text: str, mailto: str, page: str = "") -> tuple[str, str]:
    """The parts as one reader gets them: the footer's marks replaced by how to
    unsubscribe, the same ways List-Unsubscribe gives: `mailto` (a mailto: address, or
    "" when there is none) and `page` (the reader's own one-click page, or "")."""
    address = unquote(mailto.removeprefix("mailto:").split("?", 1)[0])
    say = "with the subject Unsubscribe"
    html_page = f'<a {_LINK} href="{escape(page)}">unsubscribe in one click</a>'
    html_mail = f'<a {_LINK} href="{escape(mailto)}">email us</a> {say}'
    if page and address:
        html_said = f"To stop getting it, {html_page}, or {html_mail}."
        text_said = f"To unsubscribe in one click: {page} (or email {address} {say})."
    elif page:
        html_said = f"To stop getting it, {html_page}."
        text_said = f"To unsubscribe in one click: {page}"
    else:
        html_said = f"To stop getting it, {html_mail}."
        text_said = f"To unsubscribe, email {address} {say}."
    return html.replace(HTML_MARK, html_said), text.replace(TEXT_MARK, "\n".join(_wrap(text_said)))


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _heading(text: str) -> list[str]:
    return ["", "", text.upper(), "=" * len(text)]


def text_part(edition: Edition) -> str:
    """The plain-text part."""
    e, site = edition, edition.site
    lines = [e.subject, e.long_date, "", f"Read it on our website: {e.url}"]
    for section in e.order:
        if not e.shows(section):
            continue
        if section == "intro":
            lines += ["", *e.intro.text.splitlines()]
        elif section == "posts":
            lines += _heading("News")
            for p in e.posts:
                lines += ["", *_wrap(p.title), f"Posted {p.date:%A} {p.date.day} {p.date:%B}"]
                lines += [*_wrap(p.summary), site.url(p.path)] if p.summary else [site.url(p.path)]
        elif section == "events":
            lines += _heading("What's on")
            for day, events in e.event_days:
                lines += ["", day, "-" * len(day)]
                for o in events:
                    status = "" if o.status == "scheduled" else f" ({o.status.capitalize()})"
                    lines += ["", *_wrap(o.title + status)]
                    lines += _wrap(f"{o.times}, {o.location}. {o.price}.")
                    lines.append(site.url(o.path))
                    if o.booking_url:
                        lines.append(f"Book a place: {o.booking_url}")
            lines += ["", f"Everything on at {site.name}:", site.url(site.events_path)]
        elif section == "brochure":
            b = e.brochure
            lines += _heading("Our new brochure" if e.brochure_new else "Our brochure")
            lines += ["", *_wrap(b.title)]
            if b.season:
                lines += _wrap(b.season)
            if b.summary:
                lines += _wrap(b.summary)
            lines += ["", f"Read it online: {site.url(b.path)}"]
            lines += [f"{d.label} ({d.size}): {site.url(d.path)}" for d in b.downloads]
        elif section == "hours":
            lines += _heading("Opening hours")
            for p in e.hours_changes:
                lines += ["", *_wrap(p.title), *(_wrap(p.summary) if p.summary else [])]
                lines.append(site.url(p.path))
            if site.hours:
                if e.hours_changes:
                    lines += ["", "Our usual opening hours:"]
                for name, pairs in site.hours:
                    lines += ["", *([name] if name else [])]
                    lines += [line for days, hours in pairs for line in _wrap(f"{days}: {hours}")]
                if site.hours_path:
                    lines += ["", f"Addresses and opening hours: {site.url(site.hours_path)}"]
    lines += ["", "", "-- ", site.name]
    if site.address:
        lines += _wrap(", ".join(site.address))
    if site.phone:
        lines.append(f"Phone {site.phone}")
    if site.email:
        lines.append(f"Email {site.email}")
    lines += ["", *_wrap(f"You get this email because you asked for news from {site.name}.")]
    lines.append(f"Our website: {site.siteurl}/")
    lines.append(TEXT_MARK)
    return "\n".join(line.rstrip() if line != "-- " else line for line in lines).strip() + "\n"
