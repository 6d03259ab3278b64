#!/usr/bin/env python3
"""Fails if any source file under src/ exceeds the 600-line cap (files marked GENERATED are exempt)."""
import pathlib
import sys

CAP = 600
root = pathlib.Path(__file__).resolve().parent.parent
too_long = []
for path in sorted((root / "src").rglob("*")):
    if path.suffix not in {".h", ".hpp", ".cpp", ".cc"}:
        continue
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    if len(lines) > CAP and not any("GENERATED" in line for line in lines[:5]):
        too_long.append(f"{path.relative_to(root)}: {len(lines)} lines (cap {CAP})")
if too_long:
    print("check_file_size: files over the cap:\n  " + "\n  ".join(too_long))
    sys.exit(1)
print("check_file_size: ok")
