#!/usr/bin/env python3
"""The built man pages render cleanly and name everything the programs have.

    check_man_pages.py --ndrlink BIN --ndrlinkd BIN --man-dir DIR

- Each page renders with `man -l` (80 columns) and `groff -ww` without a
  single warning and without a leftover Markdown link, and lexgrog finds
  its NAME line (for whatis/apropos).
- ndrlink(1) has a subsection for every subcommand `ndrlink --help` lists,
  and every option of `ndrlink --help` and `ndrlink CMD --help` appears in
  the page (the options of CMD inside CMD's subsection).
- ndrlinkd(8) names every option of `ndrlinkd --help`.
- ndrlink.toml(5) has a subsection for every table of the configuration and
  a term for each of its keys. The tables and keys come from ndrlinkd itself:
  an unknown key's error lists the keys of its table
  (`unknown key (known: a, b)`), so the code is the single source.
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(cmd, env=None):
    return subprocess.run(cmd, capture_output=True, text=True, env=env)


def render(page, width):
    env = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH=str(width), MAN_KEEP_FORMATTING="")
    return run(["man", "--warnings", "-l", str(page)], env)


def sections(text):
    """{heading: body} for the .SH (column 0) and .SS (column 3) headings."""
    out, current = {}, None
    for line in text.splitlines():
        if re.match(r"^(\S|   \S)", line):
            current = line.strip()
            out.setdefault(current, "")
        elif current is not None:
            out[current] += line + "\n"
    return out


def help_options(binary, *args):
    """Long options of a CLI11 --help, e.g. ['--db', '--now']."""
    text = run([binary, *args, "--help"]).stdout
    opts = re.findall(r"^\s+(?:-\w,)?(--[\w-]+)", text, re.M)
    return [o for o in opts if o not in ("--help",)]


def subcommands(binary):
    text = run([binary, "--help"]).stdout
    block = text.split("Subcommands:", 1)[1] if "Subcommands:" in text else ""
    return re.findall(r"^  (\w[\w-]*)\s", block, re.M)


def check_rendering(page):
    r = render(page, 80)
    if r.returncode != 0 or r.stderr.strip():
        fail(f"{page.name}: man -l: {r.stderr.strip() or 'exit ' + str(r.returncode)}")
    if "\u27e8" in r.stdout:  # go-md2man shows a link target as <target>
        fail(f"{page.name}: a Markdown link was left in: {r.stdout[r.stdout.index(chr(0x27e8)) - 40:][:80]!r}")
    g = run(["groff", "-man", "-Tutf8", "-ww", "-z", str(page)])
    if g.returncode != 0 or g.stderr.strip():
        fail(f"{page.name}: groff -ww: {g.stderr.strip()}")
    lex = run(["lexgrog", str(page)])
    if lex.returncode != 0:
        fail(f"{page.name}: lexgrog finds no NAME line: {lex.stdout.strip()} {lex.stderr.strip()}")


def config_error(ndrlinkd, text):
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(text)
    try:
        r = run([ndrlinkd, "--check-config", "--config", f.name])
        return r.stderr.strip()
    finally:
        os.unlink(f.name)


def known_keys(ndrlinkd, text):
    m = re.search(r"unknown key \(known: ([^)]*)\)", config_error(ndrlinkd, text))
    return [k.strip() for k in m.group(1).split(",")] if m else None


def config_tables(ndrlinkd):
    """{'[store]': [keys], '[[maildir]]': [keys], ...} probed from ndrlinkd."""
    tables = known_keys(ndrlinkd, "zzz_probe = 1\n")
    if not tables:
        fail("ndrlinkd: no key list in the error for an unknown top-level key")
        return {}
    out = {}
    for table in tables:
        header, extra = f"[{table}]", {}
        for _ in range(20):  # add required keys one at a time
            body = "".join(f'{k} = "x"\n' for k in extra)
            err = config_error(ndrlinkd, f"{header}\n{body}zzz_probe = 1\n")
            if f"expected [[{table}]] tables" in err:
                header = f"[[{table}]]"
                continue
            required = re.search(r"\.(\w+): required$", err)
            if required:
                extra[required.group(1)] = True
                continue
            break
        keys = known_keys(ndrlinkd, f"{header}\n{body}zzz_probe = 1\n")
        if keys is None:
            fail(f"ndrlinkd: cannot list the keys of {header}: {err}")
            continue
        out[header] = keys
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ndrlink", required=True)
    ap.add_argument("--ndrlinkd", required=True)
    ap.add_argument("--man-dir", required=True, type=pathlib.Path)
    args = ap.parse_args()
    pages = {name: args.man_dir / name for name in ("ndrlink.1", "ndrlinkd.8", "ndrlink.toml.5")}
    for page in pages.values():
        check_rendering(page)

    # Wide rendering: no line breaks inside option names or keys.
    cli = render(pages["ndrlink.1"], 400).stdout
    cli_sections = sections(cli)
    commands = subcommands(args.ndrlink)
    if len(commands) < 5:
        fail(f"ndrlink --help lists only {commands}")
    for option in help_options(args.ndrlink):
        if option not in cli:
            fail(f"ndrlink.1: global option {option} missing")
    for command in commands:
        body = cli_sections.get(command)
        if body is None:
            fail(f"ndrlink.1: no subsection for the subcommand {command}")
            continue
        for option in help_options(args.ndrlink, command):
            if option not in body:
                fail(f"ndrlink.1: {command}: option {option} missing from its subsection")

    daemon = render(pages["ndrlinkd.8"], 400).stdout
    for option in help_options(args.ndrlinkd):
        if option not in daemon:
            fail(f"ndrlinkd.8: option {option} missing")

    conf_sections = sections(render(pages["ndrlink.toml.5"], 400).stdout)
    tables = config_tables(args.ndrlinkd)
    for header, keys in tables.items():
        body = next((b for h, b in conf_sections.items() if h.split()[0] == header), None)
        if body is None:
            fail(f"ndrlink.toml.5: no subsection for {header}")
            continue
        for key in keys:
            if not re.search(rf"^ {{7}}{re.escape(key)}(\s|$)", body, re.M):
                fail(f"ndrlink.toml.5: {header} key {key} is not described")
    print(f"checked {len(pages)} pages, {len(commands)} subcommands, "
          f"{sum(len(k) for k in tables.values())} keys in {len(tables)} tables")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
