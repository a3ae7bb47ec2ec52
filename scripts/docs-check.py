#!/usr/bin/env python3
"""The two checks of `scripts/docs --check` that DocC itself does not make.

coverage SYMBOL_GRAPH_DIR...
    Every public symbol in the symbol graphs that the DocC plugin extracted for the libraries
    (the same graphs the documentation is built from) must have a doc comment of its own
    module. Prints each undocumented symbol as `file:line: error: ...` and exits 1 if any.
    Not counted, because no comment can be written for them in this repository:
      - symbols the compiler synthesizes (precise identifier containing `::SYNTHESIZED::`:
        `!=`, default implementations of other modules' protocols, synthesized Equatable /
        Hashable / Codable / RawRepresentable members); they have no source location;
      - extension blocks (`swift.extension`): the blocks themselves, not the members declared
        in them, which are checked; a Swift `extension` cannot carry a doc comment DocC reads;
      - witnesses of protocol requirements declared in another module (`description`,
        `hash(into:)`, `makeAsyncIterator()`, `channelRead(context:data:)`, ...) that have no
        comment of their own: DocC shows the protocol's documentation for them (the symbol
        graph carries it as the docComment with that other module's name). A witness of a
        protocol of this project's own libraries is checked like any other symbol.

links FILE...
    Every relative link `[text](path)` or `[text](path#anchor)` in the given Markdown files
    points to a file that exists (relative to the linking file), and every `#anchor` to a
    heading of the target file (GitHub's slug rules). Paths in ALLOWED_MISSING are tolerated
    while they do not exist yet.
"""
import json
import os
import re
import sys

# Paths a link may name before they exist (none: every linked file is in the repository).
ALLOWED_MISSING: set[str] = set()


def own_comment(comment, location):
    """True when the comment is written on the symbol itself: non-empty, in the same file, and
    ending at most ten lines (attributes) above the declaration. A witness of a protocol
    requirement of the same module that has no comment of its own inherits the protocol's,
    which sits elsewhere: that counts as missing."""
    if not comment or not any(line["text"].strip() for line in comment["lines"]):
        return False
    ranges = [line["range"] for line in comment["lines"] if "range" in line]
    if not ranges or comment.get("uri") != location.get("uri"):
        return False
    gap = location.get("position", {}).get("line", -1) - ranges[-1]["end"]["line"]
    return 0 <= gap <= 10


def coverage(directories):
    missing = []
    checked = 0
    for directory in directories:
        for name in sorted(os.listdir(directory)):
            if not name.endswith(".symbols.json"):
                continue
            graph = json.load(open(os.path.join(directory, name)))
            module = graph["module"]["name"]
            for symbol in graph["symbols"]:
                precise = symbol["identifier"]["precise"]
                kind = symbol["kind"]["identifier"]
                if "::SYNTHESIZED::" in precise or kind == "swift.extension":
                    continue
                comment = symbol.get("docComment")
                if comment and comment.get("module", module) != module:
                    continue  # inherited from another module's protocol requirement
                checked += 1
                location = symbol.get("location", {})
                if own_comment(comment, location):
                    continue
                path = location.get("uri", "file://?").removeprefix("file://")
                path = os.path.relpath(path) if path.startswith("/") else path
                line = location.get("position", {}).get("line", -1) + 1
                title = ".".join(symbol["pathComponents"])
                missing.append(f"{path}:{line}: error: public {kind.removeprefix('swift.')} "
                               f"'{title}' ({module}) has no doc comment")
    for entry in sorted(set(missing)):
        print(entry)
    print(f"doc coverage: {checked} public symbols checked, {len(set(missing))} without a doc comment")
    return 1 if missing else 0


LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^\s*(```|~~~)")


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation except - and _ removed, spaces to -."""
    text = re.sub(r"`", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    result, seen, fenced = set(), {}, False
    for line in open(path, encoding="utf-8"):
        if FENCE.match(line):
            fenced = not fenced
        if fenced:
            continue
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            base = slug(match.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            result.add(base if count == 0 else f"{base}-{count}")
    return result


def links(files):
    root = os.getcwd()
    problems = []
    for file in files:
        fenced = False
        for number, line in enumerate(open(file, encoding="utf-8"), start=1):
            if FENCE.match(line):
                fenced = not fenced
            if fenced:
                continue
            line = re.sub(r"`[^`]*`", "", line)  # code spans hold no links
            for target in LINK.findall(line):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("<"):
                    continue  # absolute URL (https:, mailto:, doc:)
                path, _, anchor = target.partition("#")
                resolved = os.path.normpath(os.path.join(os.path.dirname(file), path)) if path else file
                relative = os.path.relpath(resolved, root)
                if not os.path.exists(resolved):
                    if relative not in ALLOWED_MISSING:
                        problems.append(f"{file}:{number}: error: link to {target}: {relative} does not exist")
                    continue
                if anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
                    problems.append(f"{file}:{number}: error: link to {target}: no heading '#{anchor}' in {relative}")
    for problem in problems:
        print(problem)
    print(f"links: {len(files)} files checked, {len(problems)} broken links")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("coverage", "links"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    command, arguments = sys.argv[1], sys.argv[2:]
    sys.exit(coverage(arguments) if command == "coverage" else links(arguments))
