#!/usr/bin/env python3
"""Fails on any #include "<layer>/..." that points up or sideways in the layer diagram (STYLE.md)."""
import pathlib
import re
import sys

# layer -> layers it may include (itself is always allowed)
ALLOWED = {
    "util": set(),
    "gguf": {"util"},
    "tensor": {"gguf", "util"},
    "kernels": {"tensor", "gguf", "util"},
    "model": {"kernels", "tensor", "gguf", "util"},
    "tokenizer": {"gguf", "util"},
    "sampling": {"util"},
    "grammar": {"tokenizer", "gguf", "util"},
    "engine": {"model", "tokenizer", "sampling", "grammar", "kernels", "tensor", "gguf", "util"},
    "api": {"engine", "sampling", "util"},
    "server": {"api", "engine", "sampling", "util"},
    "cli": {"server", "api", "engine", "model", "tokenizer", "sampling", "grammar", "kernels", "tensor", "gguf", "util"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')

root = pathlib.Path(__file__).resolve().parent.parent
violations = []
for path in sorted((root / "src").rglob("*")):
    if path.suffix not in {".h", ".cpp"}:
        continue
    layer = path.relative_to(root / "src").parts[0]
    allowed = ALLOWED.get(layer)
    if allowed is None:
        violations.append(f"{path.relative_to(root)}: folder '{layer}' is not a known layer")
        continue
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = INCLUDE.match(line)
        if m and m.group(1) != layer and m.group(1) not in allowed:
            violations.append(f"{path.relative_to(root)}:{n}: layer '{layer}' may not include '{m.group(1)}/'")
if violations:
    print("check_layering:\n  " + "\n  ".join(violations))
    sys.exit(1)
print("check_layering: ok")
