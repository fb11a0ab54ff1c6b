#!/usr/bin/env python3
"""Checks that an ndrlink HTML report is well-formed and self-contained:
every element closed in order, at least MIN_SVG inline SVG charts, no
script, no external resource. Usage: check_html.py FILE [MIN_SVG]"""
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "source", "wbr"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.svgs = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.svgs += 1
        if tag in ("script", "link", "iframe", "img", "object"):
            self.errors.append(f"forbidden element <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.errors.append(f"event handler {name} on <{tag}>")
            if name in ("src", "href") and value and not value.startswith("#"):
                self.errors.append(f"external reference {name}={value}")
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack:
            self.errors.append(f"</{tag}> at {self.getpos()} closes nothing")
        elif self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} closes <{self.stack[-1][0]}> of {self.stack[-1][1]}")
        else:
            self.stack.pop()


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    min_svg = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    c = Checker()
    c.feed(text)
    c.close()
    if not text.startswith("<!DOCTYPE html>"):
        c.errors.append("no <!DOCTYPE html>")
    c.errors += [f"<{t}> of {pos} never closed" for t, pos in c.stack]
    if c.svgs < min_svg:
        c.errors.append(f"{c.svgs} SVG charts, expected at least {min_svg}")
    try:  # every element closed: the body also parses as XML
        ET.fromstring(text.split("\n", 1)[1] if text.startswith("<!DOCTYPE") else text)
    except ET.ParseError as e:
        c.errors.append(f"not well-formed XML: {e}")
    if "url(" in text or "@import" in text:
        c.errors.append("CSS loads an external resource")
    for e in c.errors:
        print(e)
    sys.exit(1 if c.errors else 0)


main()
