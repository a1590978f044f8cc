#!/usr/bin/python3
"""Reads accrochd's HTML report as the system tests check it: with a strict parser.

    html_tables.py FILE

The page is HTML5 written as polyglot markup, so it must parse as well-formed XML (Python's
xml.etree, expat): an unclosed element, a stray '&' or '<', a bad entity is an error here, where
a lenient HTML parser (html.parser, libxml2's HTML mode) would silently repair it. The page must
also be self-contained: no <script>, no <link>, no <img>/<iframe>/<object>, no src= or href= to
anything, no url() in the CSS.

Prints one JSON document on stdout: {"lang": ..., "title": ..., "text": all the text,
"tables": {id: {"caption": ..., "head": [cells], "rows": [[cells]], "row_headers":
[scope of each row's first cell]}}}. Exits 1, with the reason on stderr, when the page is not
well-formed or not self-contained.
"""
import json
import sys
import xml.etree.ElementTree as ET


def text_of(element):
    return " ".join("".join(element.itertext()).split())


def main():
    path = sys.argv[1]
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        print(f"{path}: not well-formed: {e}", file=sys.stderr)
        return 1
    problems = []
    for element in root.iter():
        if element.tag in ("script", "link", "img", "iframe", "object", "embed", "base"):
            problems.append(f"<{element.tag}> element")
        for attribute in ("src", "href", "srcset", "action"):
            if attribute in element.attrib:
                problems.append(f"{attribute}= on <{element.tag}>")
        if element.tag == "style" and "url(" in (element.text or ""):
            problems.append("url() in the CSS")
    if problems:
        print(f"{path}: not self-contained: " + "; ".join(problems), file=sys.stderr)
        return 1
    tables = {}
    for table in root.iter("table"):
        caption = table.find("caption")
        head = [text_of(c) for c in table.findall("./thead/tr/*")]
        rows, scopes = [], []
        for tr in table.findall("./tbody/tr"):
            cells = list(tr)
            rows.append([text_of(c) for c in cells])
            scopes.append(cells[0].get("scope", "") if cells else "")
        tables[table.get("id", "")] = {
            "caption": text_of(caption) if caption is not None else "",
            "head": head,
            "rows": rows,
            "row_headers": scopes,
        }
    title = root.find("./head/title")
    print(json.dumps({
        "lang": root.get("lang", ""),
        "title": text_of(title) if title is not None else "",
        "text": text_of(root),
        "tables": tables,
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
