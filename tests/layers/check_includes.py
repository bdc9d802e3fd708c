#!/usr/bin/env python3
"""The layers go downhill: every project include of every source file is checked against the table
in docs/architecture.md. A newcomer who adds `#include "server/service/..."` to server/access, or
anything of server/ to plugins/, finds out here, not in a review.

    check_includes.py SOURCE_DIR
"""
import pathlib
import re
import sys

# folder -> the project folders its files may include (besides itself).
ALLOWED = {
    "server/domain": [],
    "server/storage": ["server/domain"],
    "server/common": ["server/storage", "server/domain"],
    "plugins/sdk": [],
    "plugins/host": [],
    "plugins/runtime": ["plugins/host"],
    "plugins/builtin": [],
    "plugins/examples": [],
    "server/service": ["server/common", "server/storage", "server/domain", "plugins/runtime",
                       "plugins/host"],
    "server/access": ["server/common", "server/storage", "server/domain"],
    "server/api": ["server/access", "server/service", "server/common", "server/storage",
                   "server/domain", "plugins/runtime", "plugins/host"],
    "server/backup": ["server/storage", "server/domain", "server/common"],
    "server/move_club": ["server/storage", "server/domain"],
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"((?:server|plugins|client|tests)/[^"]+)"', re.M)


def room(path: str) -> str:
    for folder in sorted(ALLOWED, key=len, reverse=True):
        if path.startswith(folder + "/"):
            return folder
    return ""


def main() -> int:
    root = pathlib.Path(sys.argv[1])
    problems = []
    checked = 0
    for top in ("server", "plugins"):
        for f in sorted((root / top).rglob("*")):
            if f.suffix not in (".h", ".hpp", ".cc", ".c"):
                continue
            rel = f.relative_to(root).as_posix()
            here = room(rel)
            if not here:
                problems.append(f"{rel}: in no known layer (add its folder to {__file__})")
                continue
            checked += 1
            for inc in INCLUDE.findall(f.read_text(encoding="utf-8")):
                there = room(inc)
                if there == here or there in ALLOWED[here]:
                    continue
                problems.append(f"{rel}: includes {inc} ({there or 'outside the layers'}), "
                                f"which {here} may not")
    for p in problems:
        print("FAIL:", p)
    print(f"include_layers: {checked} files checked, {len(problems)} problems")
    return 1 if problems or checked < 50 else 0


if __name__ == "__main__":
    sys.exit(main())
