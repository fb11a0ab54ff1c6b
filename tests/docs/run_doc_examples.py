#!/usr/bin/env python3
"""Runs the examples of a Markdown doc against the built programs.

    run_doc_examples.py --bin-dir DIR [--bin-dir DIR] --source-dir SRC DOC.md...
    run_doc_examples.py --installed DOC.md...     (the installed package)

Convention (docs/README.md says the same for writers):
- A ```console block is an example. A line starting with `$ ` is a command
  (continued on the next lines while a line ends with `\\`); the lines up to
  the next command are its output (stdout and stderr together). A command
  must exit 0 unless the block shows its output, which must then match; a
  command shown without output must print nothing.
- In shown output `…` matches any text within a line; a line that is only
  `…` matches any number of lines (times, ids, tokens, log lines).
- Markers: an HTML comment on the line before the block:
  `<!-- test: file PATH -->`   any block: its text is written to PATH;
  `<!-- test: background -->`  the one command runs in the background until
                               the end of the doc (or `stop`); its shown
                               output must appear within 10 s;
  `<!-- test: stop -->`        stop the background commands (SIGTERM; ndrlink's
                               programs must exit 0, others may die of it;
                               must exit 0), then run the block;
  `<!-- test: eventually -->`  each command is retried for up to 10 s until
                               its output matches (the daemon is asynchronous);
  `<!-- test: installed -->`   runs only with --installed (scripts/check-package
                               runs it against the installed package, its
                               daemon started);
  `<!-- test: skip WHY -->`    not run (needs root, a real server, ...).
  Other fenced blocks are not run.

Each doc runs in a new temporary directory (its working directory), with the
--bin-dir directories first in PATH, so `ndrlink` and `ndrlinkd` are the
built ones. Paths of the installed package are mapped to the source tree:
/usr/share/doc/ndrlink/examples/bounces -> SRC/tests/data/bounces and
/usr/share/doc/ndrlink/examples/ndrlink.toml -> SRC/systemd/ndrlink.toml
(and back in the output). With --installed the programs and paths are the installed ones, unmapped.
"""
import argparse
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

MARKER = re.compile(r"^<!--\s*test:\s*(\w+)\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^```(\S*)\s*$")
WAIT_SECONDS = 10


class Block:
    def __init__(self, lang, lines, line_no, markers):
        self.lang, self.lines, self.line_no, self.markers = lang, lines, line_no, markers

    def marker(self, name):
        return next((arg for key, arg in self.markers if key == name), None)


def blocks_of(path):
    out, markers, lines, i = [], [], path.read_text(encoding="utf-8").splitlines(), 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if m:
            markers.append((m.group(1), m.group(2)))
            i += 1
            continue
        f = FENCE.match(lines[i])
        if f and lines[i].startswith("```"):
            start, body, i = i + 1, [], i + 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            out.append(Block(f.group(1), body, start, markers))
            markers = []
        elif lines[i].strip():
            markers = []  # a marker belongs to the block right after it
        i += 1
    return out


def commands_of(block):
    """[(command, [expected lines])] of a console block."""
    out, i, lines = [], 0, block.lines
    while i < len(lines):
        if not lines[i].startswith("$ "):
            raise SystemExit(f"line {block.line_no + i}: output before any command in a console block")
        command = lines[i][2:]
        while command.endswith("\\") and i + 1 < len(lines):
            i += 1
            command = command[:-1] + "\n" + lines[i]
        i += 1
        expected = []
        while i < len(lines) and not lines[i].startswith("$ "):
            expected.append(lines[i])
            i += 1
        while expected and not expected[-1].strip():
            expected.pop()
        out.append((command.replace("\n", " "), expected))
    return out


def line_pattern(line):
    return re.compile(".*".join(re.escape(part) for part in line.rstrip().split("…")))


def matches(expected, actual, prefix=False):
    """Whether actual lines match expected (with … wildcards); with prefix,
    whether some beginning of actual does."""
    exp = [None if e.strip() == "…" else line_pattern(e) for e in expected]
    act = [a.rstrip() for a in actual]
    memo = {}

    def go(i, j):
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(exp):
            r = prefix or j == len(act)
        elif exp[i] is None:
            r = any(go(i + 1, k) for k in range(j, len(act) + 1))
        else:
            r = j < len(act) and exp[i].fullmatch(act[j]) is not None and go(i + 1, j + 1)
        memo[(i, j)] = r
        return r

    return go(0, 0)


class Runner:
    def __init__(self, doc, bin_dirs, source_dir, installed):
        self.doc = doc
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="ndrlink-doc-"))
        self.env = dict(os.environ, PATH=os.pathsep.join(bin_dirs + [os.environ.get("PATH", "")]),
                        LC_ALL="C.UTF-8", TZ="UTC")
        for var in ("NDRLINK_DB", "NDRLINK_VERP_SECRET_FILE", "NDRLINK_VERP_DOMAIN", "NDRLINK_VERP_PREFIX"):
            self.env.pop(var, None)
        self.installed = installed
        self.paths = []
        if not installed:
            src = pathlib.Path(source_dir).resolve()
            self.paths = [("/usr/share/doc/ndrlink/examples/bounces", f"{src}/tests/data/bounces"),
                          ("/usr/share/doc/ndrlink/examples/ndrlink.toml", f"{src}/systemd/ndrlink.toml")]
        self.background = []  # (command, Popen, log path)
        self.failures, self.ran, self.skipped = 0, 0, 0

    def mapped(self, text):
        for installed, source in self.paths:
            text = text.replace(installed, source)
        return text

    def unmapped(self, text):
        """Output shows the installed paths the doc used."""
        for installed, source in self.paths:
            text = text.replace(source, installed)
        return text

    def fail(self, block, command, why):
        self.failures += 1
        print(f"FAIL {self.doc}:{block.line_no}: $ {command}\n{why}")

    def run_once(self, command):
        r = subprocess.run(["bash", "-c", self.mapped(command)], cwd=self.work, env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        return r.returncode, self.unmapped(r.stdout).splitlines()

    def check(self, block, command, expected, eventually):
        deadline = time.monotonic() + (WAIT_SECONDS if eventually else 0)
        while True:
            status, actual = self.run_once(command)
            ok = matches(expected, actual) if expected else (status == 0 and not actual)
            if ok or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        self.ran += 1
        if not ok:
            shown = "\n".join(expected) if expected else "(no output, exit 0)"
            self.fail(block, command, f"expected:\n{shown}\ngot (exit {status}):\n" + "\n".join(actual))

    def start_background(self, block, command, expected):
        log = self.work / f".background-{len(self.background)}.log"
        handle = open(log, "w")
        proc = subprocess.Popen(["bash", "-c", "exec " + self.mapped(command)], cwd=self.work, env=self.env,
                                stdout=handle, stderr=subprocess.STDOUT, text=True)
        self.background.append((command, proc, log))
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            actual = self.unmapped(log.read_text(errors="replace")).splitlines()
            if matches(expected, actual, prefix=True):
                break
            if proc.poll() is not None or time.monotonic() >= deadline:
                self.fail(block, command, "expected to start with:\n" + "\n".join(expected) +
                          f"\ngot ({'exited ' + str(proc.returncode) if proc.poll() is not None else 'running'}):\n"
                          + "\n".join(actual))
                break
            time.sleep(0.1)
        self.ran += 1

    def stop_background(self):
        for command, proc, log in self.background:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                status = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                status = proc.wait()
            # ndrlink's programs stop cleanly on SIGTERM; a helper (a stand-in
            # SMTP server) may just die of it.
            ours = command.split()[0] in ("ndrlinkd", "ndrlink")
            if status != 0 and (ours or status != -signal.SIGTERM):
                self.failures += 1
                print(f"FAIL {self.doc}: background `{command}` exited {status} on SIGTERM:\n{log.read_text()}")
        self.background = []

    def run(self):
        try:
            for block in blocks_of(self.doc):
                target = block.marker("file")
                if target:
                    path = self.work / target
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text("\n".join(block.lines) + "\n")
                    continue
                if block.lang != "console":
                    continue
                if block.marker("skip") is not None:
                    self.skipped += 1
                    print(f"skipped {self.doc}:{block.line_no}: {block.marker('skip')}")
                    continue
                if block.marker("installed") is not None and not self.installed:
                    self.skipped += 1
                    print(f"skipped {self.doc}:{block.line_no}: runs against the installed package "
                          "(scripts/check-package)")
                    continue
                if block.marker("stop") is not None:
                    self.stop_background()
                for command, expected in commands_of(block):
                    if block.marker("background") is not None:
                        self.start_background(block, command, expected)
                    else:
                        self.check(block, command, expected, block.marker("eventually") is not None)
            self.stop_background()
        finally:
            for _, proc, _ in self.background:
                if proc.poll() is None:
                    proc.kill()
            shutil.rmtree(self.work, ignore_errors=True)
        print(f"{self.doc}: {self.ran} commands run, {self.skipped} blocks skipped, {self.failures} failed")
        return self.failures == 0 and self.ran > 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin-dir", action="append", default=[])
    ap.add_argument("--source-dir")
    ap.add_argument("--installed", action="store_true", help="run against the installed package")
    ap.add_argument("docs", nargs="+", type=pathlib.Path)
    args = ap.parse_args()
    if not args.installed and not (args.bin_dir and args.source_dir):
        ap.error("--bin-dir and --source-dir are needed unless --installed")
    ok = True
    for doc in args.docs:
        bin_dirs = [str(pathlib.Path(d).resolve()) for d in args.bin_dir]
        ok = Runner(doc, bin_dirs, args.source_dir, args.installed).run() and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
