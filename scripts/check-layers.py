#!/usr/bin/env python3
"""The layering rules of docs/ARCHITECTURE.md, checked on the source tree.

1. A file under crates/server/src/routes/ never imports another route module:
   what routes share lives one layer down (services/, argus-db).
2. No import circle in any crate: among the modules of one parent (the
   crate root's modules, a folder's modules), `crate::`/`super::` paths never
   form a cycle.

Run from anywhere; exits 1 and names each violation. `--root DIR` checks
another tree (the e2e suite proves the check fails on a bad one).
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
if len(sys.argv) == 3 and sys.argv[1] == "--root":
    ROOT = pathlib.Path(sys.argv[2]).resolve()
PATH = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
GROUP = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*?)\}", re.S)


def module_of(src, file):
    """The module path of a source file: src/a/b.rs and src/a/b/mod.rs are a::b."""
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[-1] == "mod" or (len(parts) == 1 and parts[0] in ("lib", "main")):
        parts = parts[:-1]
    return tuple(parts)


def references(text):
    """Every crate:: or super:: path a file names, a group `a::{b, c::d}` expanded."""
    lines = []
    for line in text.splitlines():
        # `use super::*;` indented is an inline test module naming its own file.
        if re.match(r"\s+use super::\*;", line):
            continue
        lines.append(line)
    text = "\n".join(lines)
    found = []
    for m in GROUP.finditer(text):
        base = m.group(2).split("::")[1:]
        for item in m.group(3).split(","):
            item = item.strip().split(" as ")[0].split("::{")[0]
            if item and item != "self":
                found.append((m.group(1), base + item.split("::")))
    for m in PATH.finditer(text):
        found.append((m.group(1), m.group(2).split("::")[1:]))
    return found


def resolve(modules, here, kind, path):
    """The longest known module a path names, absolute; None outside the crate."""
    base = list(here[:-1]) if kind == "super" else []
    while path and path[0] == "super":
        base, path = base[:-1], path[1:]
    full = base + path
    for n in range(len(full), 0, -1):
        if tuple(full[:n]) in modules:
            return tuple(full[:n])
    return None


def cycles(graph):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def check_crate(src, problems):
    files = {module_of(src, f): f for f in src.rglob("*.rs") if "bin" not in f.relative_to(src).parts}
    modules = set(files) | {m[:n] for m in files for n in range(len(m))}
    graph = {}
    for here, file in files.items():
        text = file.read_text()
        for kind, path in references(text):
            there = resolve(modules, here, kind, path)
            if there is None or there == here:
                continue
            # The pair of siblings under the deepest common parent.
            n = 0
            while n < min(len(here), len(there)) and here[n] == there[n]:
                n += 1
            if n == len(here) or n == len(there):
                continue  # a module and its own parent or child
            a, b = here[: n + 1], there[: n + 1]
            graph.setdefault(a, set()).add(b)
            if src.parts[-2] == "server" and here[:1] == ("routes",) and len(here) > 1:
                if there[:1] == ("routes",) and len(there) > 1 and there[:2] != here[:2]:
                    problems.append(
                        f"{file.relative_to(ROOT)}: a route imports another route module "
                        f"({'::'.join(there)}); move what they share below routes/"
                    )
    for comp in cycles(graph):
        names = " → ".join("::".join(m) for m in comp)
        problems.append(f"{src.relative_to(ROOT)}: import circle among {names}")


def main():
    problems = []
    for src in sorted(ROOT.glob("crates/*/src")):
        check_crate(src, problems)
    for p in sorted(set(problems)):
        print(p)
    if problems:
        sys.exit(1)
    print("layers: no route imports another, no import circle")


if __name__ == "__main__":
    main()
