"""What a tagged PDF says about itself, read with pikepdf: marked content outside the
structure tree, table header cells without /Scope, links without the Print flag."""

from collections import defaultdict

import pikepdf

PRINT = 4  # bit 3 of an annotation's /F


def structure(pdf):
    """Every structure element of the tree, depth first, and the MCIDs each page's
    content refers to: {page objgen: {mcid}}."""
    elements, referenced = [], defaultdict(set)
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return elements, referenced

    def walk(node, page):
        if isinstance(node, int):
            if page is not None:
                referenced[page.objgen].add(int(node))
            return
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid, page)
            return
        if not isinstance(node, pikepdf.Dictionary):
            return
        kind = node.get("/Type")
        if kind == "/MCR":
            walk(int(node.MCID), node.get("/Pg", page))
            return
        if kind == "/OBJR":
            return
        if "/S" in node:
            elements.append(node)
        walk(node.get("/K", pikepdf.Array()), node.get("/Pg", page))

    walk(root.get("/K", pikepdf.Array()), None)
    return elements, referenced


def marked_content(page):
    """[(tag, mcid or None, text shown inside)] of the page's outermost marked content,
    and the text shown outside any."""
    found, outside, stack = [], [], []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            tag = str(operands[0])
            mcid = None
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
                mcid = int(operands[1].get("/MCID")) if "/MCID" in operands[1] else None
            stack.append([tag, mcid, []])
        elif op == "EMC" and stack:
            done = stack.pop()
            if not stack:
                found.append((done[0], done[1], "".join(done[2])))
            else:
                stack[-1][2].extend(done[2])
        elif op in ("Tj", "TJ", "'", '"'):
            text = _text(operands)
            (stack[-1][2] if stack else outside).append(text)
    return found, "".join(outside)


def _text(operands):
    parts = []
    for operand in operands:
        if isinstance(operand, pikepdf.String):
            parts.append(bytes(operand).decode("latin-1"))
        elif isinstance(operand, pikepdf.Array):
            parts.append(_text(list(operand)))
    return "".join(parts)


def findings(path) -> dict[str, list]:
    """What is wrong with the PDF's tagging: `orphans` (page, tag, mcid) marked content
    no structure element refers to; `th_without_scope`; `links_not_printed` (page, uri);
    and what it holds: `artifacts` (page, count), `uris`."""
    with pikepdf.open(path) as pdf:
        elements, referenced = structure(pdf)
        result = {"orphans": [], "th_without_scope": 0, "th": 0, "links_not_printed": [],
                  "uris": [], "artifacts": []}  # fmt: skip
        for element in elements:
            if element.S == "/TH":
                result["th"] += 1
                attributes = element.get("/A")
                attributes = (
                    [attributes] if isinstance(attributes, pikepdf.Dictionary) else attributes
                )
                if not any(
                    isinstance(a, pikepdf.Dictionary) and "/Scope" in a for a in (attributes or [])
                ):
                    result["th_without_scope"] += 1
        for number, page in enumerate(pdf.pages, start=1):
            marks, _ = marked_content(page)
            artifacts = 0
            for tag, mcid, _text in marks:
                if tag == "/Artifact":
                    artifacts += 1
                elif mcid is None or mcid not in referenced[page.obj.objgen]:
                    result["orphans"].append((number, tag, mcid, _text))
            result["artifacts"].append((number, artifacts))
            for annot in page.get("/Annots", []):
                if annot.get("/Subtype") != "/Link":
                    continue
                uri = str(annot.get("/A", {}).get("/URI", ""))
                result["uris"].append(uri)
                if not int(annot.get("/F", 0)) & PRINT:
                    result["links_not_printed"].append((number, uri))
    return result
