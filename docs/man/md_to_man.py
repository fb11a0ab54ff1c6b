#!/usr/bin/env python3
"""Builds one man page from its Markdown source in docs/man/ with go-md2man.

    md_to_man.py --go-md2man PATH --version X.Y.Z SOURCE.md OUTPUT

The reference docs (docs/cli.md, docs/daemon.md, docs/configuration.md)
stay the single source of the facts: a man page source pulls one in with a
line `<!-- include: ../cli.md -->`. Before go-md2man runs, the Markdown is
adapted to what a man page can show:
- an included file loses its title (`# ...`) and its headings move one
  level down, so they become subsections (.SS) of the page's section;
- text between `<!-- man: skip -->` and `<!-- man: end skip -->` in an
  included file is left out (e.g. long tool output);
- tables become definition lists (man tables overflow 80 columns): the
  first cell is the term, the others `header: value` (a `meaning` column
  without its header);
- links become their text (the docs are in /usr/share/doc/ndrlink/docs);
- HTML comments (doc-test markers) are dropped; `@VERSION@` is replaced;
  an empty HTML block goes before each fenced block (see adapt()).
After go-md2man, hyphens in text become `\\-` (so options copy and paste
as typed) and any non-ASCII character a groff escape, so the page renders
the same in every locale.
"""
import argparse
import pathlib
import re
import subprocess
import sys

INCLUDE = re.compile(r"^<!--\s*include:\s*(\S+)\s*-->\s*$")
SKIP_BEGIN = re.compile(r"^<!--\s*man:\s*skip\b.*-->\s*$")
SKIP_END = re.compile(r"^<!--\s*man:\s*end skip\s*-->\s*$")
COMMENT = re.compile(r"<!--.*?-->", re.S)
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#+)(\s.*)$")
FENCE = re.compile(r"^\s*```")
BLOCK_SEPARATOR = "<!-- -->"


def split_row(line):
    """Cells of a GFM table row; `|` inside backticks does not split."""
    cells, cell, in_code = [], "", False
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body) and body[i + 1] == "|":
            cell += "|"
            i += 2
            continue
        if c == "`":
            in_code = not in_code
        if c == "|" and not in_code:
            cells.append(cell.strip())
            cell = ""
        else:
            cell += c
        i += 1
    cells.append(cell.strip())
    return cells


def is_table_start(lines, i):
    return (lines[i].lstrip().startswith("|") and i + 1 < len(lines)
            and re.match(r"^\s*\|?\s*:?-{3,}", lines[i + 1]) is not None)


# Columns whose cells are the description itself, shown without their header.
TEXT_COLUMNS = {"meaning", "what it does", "description"}


def table_to_definitions(rows):
    header = [h.strip("`") for h in split_row(rows[0])]
    out = []
    for row in rows[2:]:
        cells = split_row(row)
        cells += [""] * (len(header) - len(cells))
        parts = [cells[k] if header[k].lower() in TEXT_COLUMNS else f"{header[k]}: {cells[k]}"
                 for k in range(1, len(header)) if cells[k]]
        out += [cells[0] or "\\-", ": " + ("; ".join(parts) or "\\-"), ""]
    return out


def expand(path, skip_title):
    """Lines of `path` with includes expanded (headings shifted in includes)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out, skipping, in_fence, title_dropped = [], False, False, not skip_title
    for line in lines:
        if FENCE.match(line):
            in_fence = not in_fence
        if not in_fence:
            if SKIP_BEGIN.match(line):
                skipping = True
                continue
            if SKIP_END.match(line):
                skipping = False
                continue
            m = INCLUDE.match(line)
            if m:
                out += expand((path.parent / m.group(1)).resolve(), True)
                continue
            h = HEADING.match(line)
            if h and skip_title:
                if not title_dropped and len(h.group(1)) == 1:
                    title_dropped = True
                    continue
                line = "#" + line
        if not skipping:
            out.append(line)
    return out


def unlink(line):
    """Links become their text (an http link keeps its URL in <>)."""
    return LINK.sub(lambda m: m.group(1) if not m.group(2).startswith("http")
                    else f"{m.group(1)} <{m.group(2)}>", line)


def adapt(lines):
    lines = COMMENT.sub("", "\n".join(lines)).splitlines()
    out, i, in_fence = [], 0, False
    while i < len(lines):
        line = lines[i]
        if FENCE.match(line):
            if not in_fence:
                # go-md2man (blackfriday) swallows a fenced block that follows
                # a list into the last item; an HTML block in between ends it.
                out += ["", BLOCK_SEPARATOR, ""]
            in_fence = not in_fence
            out.append(line)
            i += 1
            continue
        if not in_fence and is_table_start(lines, i):
            j = i
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                j += 1
            if out and out[-1].strip():
                out.append("")
            out += [unlink(d) for d in table_to_definitions(lines[i:j])]
            i = j
            continue
        out.append(line if in_fence else unlink(line))
        i += 1
    return "\n".join(out) + "\n"


def roff_fixups(roff):
    out = []
    for line in roff.splitlines():
        if not line.startswith((".", "'")) or line.startswith((".SH", ".SS")):
            line = re.sub(r"(?<!\\)-", r"\\-", line)
        line = "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in line)
        out.append(line)
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--go-md2man", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("source", type=pathlib.Path)
    ap.add_argument("output", type=pathlib.Path)
    args = ap.parse_args()
    markdown = adapt(expand(args.source, False)).replace("@VERSION@", args.version)
    result = subprocess.run([args.go_md2man], input=markdown, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"md_to_man: go-md2man failed on {args.source}: {result.stderr.strip()}")
    for line in result.stderr.splitlines():  # the separators are expected
        if "does not handle node type HTMLBlock" not in line:
            print(f"md_to_man: {args.source}: {line}", file=sys.stderr)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(roff_fixups(result.stdout), encoding="ascii")


if __name__ == "__main__":
    main()
