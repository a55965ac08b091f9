"""The file tools: list_dir, read_file, search (read); write_file, edit_file, delete_file.

Every path goes through the workspace's confinement; every change through its undo journal.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rustpro.agent.ignore import IgnoreRules, walk
from rustpro.agent.tools.base import Tool, ToolFailure, integer, schema, string
from rustpro.agent.workspace import Workspace

MAX_READ_LINES = 1000
MAX_READ_CHARS = 60_000
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_LISTED = 400
MAX_MATCHES = 200
MAX_SEARCHED_FILE_BYTES = 2 * 1024 * 1024
MAX_MATCH_LINE = 240


def read_text(path: Path) -> str:
    """A file's text; raises `ToolFailure` for what is not UTF-8 text of a sane size."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ToolFailure(f"the file is {size} bytes; at most {MAX_FILE_BYTES} are read")
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ToolFailure("no such file") from None
    except IsADirectoryError:
        raise ToolFailure("it is a directory: use list_dir") from None
    except UnicodeDecodeError:
        raise ToolFailure("not UTF-8 text") from None
    except OSError as err:
        raise ToolFailure(f"cannot read it: {err.strerror or err}") from None


def file_tools(workspace: Workspace) -> list[Tool]:
    """The six file tools over `workspace`."""

    def list_dir(args: dict[str, Any]) -> str:
        start = workspace.resolve(args.get("path", "."))
        if not start.is_dir():
            raise ToolFailure(f"{args.get('path', '.')} is not a directory")
        depth = min(int(args.get("depth", 1)), 4)
        base = len(start.relative_to(workspace.root).parts)
        lines: list[str] = []
        for rel, is_dir in walk(workspace.root, start):
            level = len(Path(rel).parts) - base
            if level > depth:
                continue
            if len(lines) >= MAX_LISTED:
                lines.append(f"... (more than {MAX_LISTED} entries: list a subdirectory)")
                break
            indent = "  " * (level - 1)
            name = Path(rel).name
            if is_dir:
                lines.append(f"{indent}{name}/")
            else:
                size = (workspace.root / rel).lstat().st_size
                lines.append(f"{indent}{name} ({size} bytes)")
        where = workspace.relative(start)
        return f"{where}/ (ignored files left out)\n" + ("\n".join(lines) or "(empty)")

    def read_file(args: dict[str, Any]) -> str:
        path = workspace.resolve(args["path"])
        lines = read_text(path).splitlines()
        first = max(1, int(args.get("start_line", 1)))
        last = min(len(lines), int(args.get("end_line", first + MAX_READ_LINES - 1)))
        last = min(last, first + MAX_READ_LINES - 1)
        shown: list[str] = []
        size = 0
        for number in range(first, last + 1):
            line = f"{number:>6}\t{lines[number - 1]}"
            size += len(line) + 1
            if size > MAX_READ_CHARS and shown:
                last = number - 1
                break
            shown.append(line)
        rel = workspace.relative(path)
        if not lines:
            return f"{rel}: empty file"
        header = f"{rel} (lines {first}-{last} of {len(lines)})"
        if last < len(lines):
            header += f"; read on with start_line={last + 1}"
        return header + "\n" + "\n".join(shown)

    def search(args: dict[str, Any]) -> str:
        flags = re.IGNORECASE if args.get("case_insensitive") else 0
        try:
            regex = re.compile(args["pattern"], flags)
        except re.error as err:
            raise ToolFailure(f"not a valid regular expression: {err}") from None
        start = workspace.resolve(args.get("path", "."))
        glob = args.get("glob")
        limit = min(int(args.get("max_results", 100)), MAX_MATCHES)
        matches: list[str] = []
        more = 0
        for path in _searchable(workspace, start, glob):
            try:
                text = path.read_bytes()
            except OSError:
                continue
            if b"\0" in text[:8192]:
                continue  # binary
            rel = workspace.relative(path)
            for number, line in enumerate(text.decode("utf-8", "replace").splitlines(), 1):
                if regex.search(line):
                    if len(matches) >= limit:
                        more += 1
                        continue
                    shown = line.strip()
                    if len(shown) > MAX_MATCH_LINE:
                        shown = shown[:MAX_MATCH_LINE] + "..."
                    matches.append(f"{rel}:{number}: {shown}")
        if not matches:
            return "no match (ignored files are not searched)"
        tail = f"\n... and {more} more match(es): narrow the pattern, path or glob" if more else ""
        return "\n".join(matches) + tail

    def write_file(args: dict[str, Any]) -> str:
        path, created = workspace.write(args["path"], args["content"])
        lines = args["content"].count("\n") + (0 if args["content"].endswith("\n") else 1)
        verb = "created" if created else "replaced"
        return f"{verb} {workspace.relative(path)} ({lines} lines)"

    def edit_file(args: dict[str, Any]) -> str:
        path = workspace.resolve(args["path"])
        old, new = args["old_text"], args["new_text"]
        if not old:
            raise ToolFailure("old_text is empty: give the exact text to replace")
        text = read_text(path)
        count = text.count(old)
        if count != 1:
            where = "is not in the file" if count == 0 else f"occurs {count} times"
            hint = (
                "copy it exactly from read_file (without the line numbers)"
                if count == 0
                else "add surrounding lines to old_text until it occurs once"
            )
            raise ToolFailure(f"old_text {where} ({count} matches): {hint}")
        line = text[: text.index(old)].count("\n") + 1
        workspace.write(args["path"], text.replace(old, new, 1))
        span = new.count("\n")
        return f"edited {workspace.relative(path)} at line {line} ({span + 1} line(s) now there)"

    def delete_file(args: dict[str, Any]) -> str:
        path = workspace.delete(args["path"])
        return f"deleted {workspace.relative(path)}"

    path_arg = string("A path relative to the workspace root.")
    return [
        Tool(
            "list_dir",
            "List a directory of the workspace (files git ignores are left out).",
            schema(
                {},
                {
                    "path": string("Directory relative to the workspace root (default: the root)."),
                    "depth": integer("How many levels to list, 1 to 4 (default 1).", 1),
                },
            ),
            "read",
            list_dir,
        ),
        Tool(
            "read_file",
            f"Read a text file with line numbers, at most {MAX_READ_LINES} lines per call.",
            schema(
                {"path": path_arg},
                {
                    "start_line": integer("First line to show (1-based).", 1),
                    "end_line": integer("Last line to show.", 1),
                },
            ),
            "read",
            read_file,
        ),
        Tool(
            "search",
            "Search the workspace's files with a regular expression (Python syntax); files "
            "git ignores are skipped. Answers path:line: text.",
            schema(
                {"pattern": string("The regular expression.")},
                {
                    "path": string("Directory or file to search in (default: the root)."),
                    "glob": string("Only files whose name matches, e.g. *.rs."),
                    "case_insensitive": {"type": "boolean", "description": "Ignore case."},
                    "max_results": integer("At most this many matches (default 100).", 1),
                },
            ),
            "read",
            search,
        ),
        Tool(
            "write_file",
            "Create a file or replace its whole content.",
            schema({"path": path_arg, "content": string("The file's new content.")}),
            "write",
            write_file,
        ),
        Tool(
            "edit_file",
            "Replace one exact occurrence of old_text in a file with new_text. Fails, saying "
            "how many matches there are, when old_text occurs zero or several times.",
            schema(
                {
                    "path": path_arg,
                    "old_text": string("The exact text to replace (whitespace included)."),
                    "new_text": string("What replaces it."),
                }
            ),
            "write",
            edit_file,
        ),
        Tool(
            "delete_file",
            "Delete a file (rustpro agent --undo brings it back).",
            schema({"path": path_arg}),
            "write",
            delete_file,
        ),
    ]


def _searchable(workspace: Workspace, start: Path, glob: str | None) -> Iterator[Path]:
    if start.is_file():
        yield start
        return
    rules = IgnoreRules(workspace.root)
    for rel, is_dir in walk(workspace.root, start, rules):
        if is_dir or (glob and not fnmatch.fnmatch(Path(rel).name, glob)):
            continue
        path = workspace.root / rel
        try:
            if path.is_symlink():
                path = workspace.resolve(rel)  # a link that leads outside is not searched
            if path.stat().st_size > MAX_SEARCHED_FILE_BYTES:
                continue
        except (ToolFailure, OSError):
            continue
        yield path
