"""CSS written into each element's style attribute, as mail clients need: many drop a
<style> block (Gmail for some accounts, Outlook's Word engine ignores much of it).

Pure and small on purpose: the email's rules are ours and simple (`tag`, `.class`,
`tag.class`), so no general CSS engine is needed. Declarations apply in order of
specificity (tag, then class, then tag.class, in the order written), and an element's
own style attribute wins. The <style> block stays in the head for the clients that
read it (dark mode, narrow screens).
"""

import re

import lxml.html

_SELECTOR = re.compile(r"^(?P<tag>[a-z][a-z0-9]*)?(?:\.(?P<cls>[a-z][a-z0-9_-]*))?$", re.IGNORECASE)


def _parse(selector: str) -> tuple[str | None, str | None]:
    match = _SELECTOR.match(selector.strip())
    if not match or not (match.group("tag") or match.group("cls")):
        raise ValueError(f"inline: {selector!r} is not a tag, .class or tag.class selector")
    return (match.group("tag") or "").lower() or None, match.group("cls")


def _specificity(tag, cls) -> int:
    return (1 if tag else 0) + (10 if cls else 0)


def _merge(declarations: list[str]) -> str:
    """One declaration per property, the last written winning, as in a browser."""
    merged = {}
    for block in declarations:
        for item in block.split(";"):
            name, colon, value = item.partition(":")
            if colon and name.strip():
                merged.pop(name.strip().lower(), None)  # keep the order they win in
                merged[name.strip().lower()] = value.strip()
    return "; ".join(f"{name}: {value}" for name, value in merged.items())


def inline_css(html: str, rules: list[tuple[str, str]]) -> str:
    """`html` (a whole document) with `rules` [(selector, "prop: value; ..."), ...]
    written into the style attribute of every element they select."""
    parsed = sorted(
        ((_parse(sel), decl.strip().rstrip(";"), n) for n, (sel, decl) in enumerate(rules)),
        key=lambda r: (_specificity(*r[0]), r[2]),
    )
    root = lxml.html.document_fromstring(html)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue  # comments
        classes = set((el.get("class") or "").split())
        found = [
            decl
            for (tag, cls), decl, _ in parsed
            if (tag is None or tag == el.tag) and (cls is None or cls in classes) and decl
        ]
        own = (el.get("style") or "").strip().rstrip(";")
        if own:
            found.append(own)
        if found:
            el.set("style", _merge(found))
    doctype = root.getroottree().docinfo.doctype or "<!DOCTYPE html>"
    return lxml.html.tostring(root, doctype=doctype, encoding="unicode", method="html")
