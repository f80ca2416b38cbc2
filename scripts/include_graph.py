#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""include_graph.py: the #include "..." graph of src/ (and include/), checked for cycles.

Usage: scripts/include_graph.py [ROOT]   exit 0 and the graph when acyclic; exit 1 and the cycle otherwise.
A header may include another header; a cycle means two rooms that cannot be understood apart."""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
dirs = [os.path.join(root, "src"), os.path.join(root, "include"), os.path.join(root, "include", "mixxengine")]
# nodes are paths relative to ROOT: src/dsp.h and include/mixxengine/dsp.h are different files
files = {}
for d in dirs:
    if os.path.isdir(d):
        for f in sorted(os.listdir(d)):
            if f.endswith((".c", ".h")):
                files[os.path.relpath(os.path.join(d, f), root)] = os.path.join(d, f)
inc_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def resolve(including, inc):
    """What `#include "inc"` in `including` names: the includer's own directory first, then the -I dirs."""
    for base in [os.path.dirname(files[including])] + [os.path.join(root, "src"), os.path.join(root, "include")]:
        rel = os.path.relpath(os.path.normpath(os.path.join(base, inc)), root)
        if rel in files:
            return rel
    return None


graph = {}
for name, path in files.items():
    with open(path, encoding="utf-8") as fh:
        graph[name] = [r for r in (resolve(name, i) for i in inc_re.findall(fh.read())) if r]

WHITE, GREY, BLACK = 0, 1, 2
colour = {n: WHITE for n in graph}
stack = []


def visit(n):
    colour[n] = GREY
    stack.append(n)
    for m in graph[n]:
        if colour[m] == GREY:
            cyc = stack[stack.index(m):] + [m]
            print("include cycle: " + " -> ".join(cyc))
            sys.exit(1)
        if colour[m] == WHITE:
            visit(m)
    stack.pop()
    colour[n] = BLACK


for n in graph:
    if colour[n] == WHITE:
        visit(n)
for n in sorted(graph):
    if graph[n]:
        print(f"{n} -> {', '.join(graph[n])}")
print(f"no include cycle among {len(graph)} files")

# With a build directory: the same check on the call graph between src/*.c objects (who calls a function
# another file defines), which is where a circle between modules shows even when headers are acyclic.
if len(sys.argv) > 2:
    import glob
    import subprocess

    objs = glob.glob(os.path.join(sys.argv[2], "src", "CMakeFiles", "mixxengine_obj.dir", "*.o"))
    defined, undefined = {}, {}
    for o in objs:
        mod = os.path.basename(o).split(".")[0]
        out = subprocess.run(["nm", o], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDRB":
                defined[parts[2]] = mod
            elif len(parts) == 2 and parts[0] == "U":
                undefined.setdefault(mod, set()).add(parts[1])
    calls = {m: sorted({defined[s] for s in undefined.get(m, ()) if s in defined and defined[s] != m})
             for m in sorted({os.path.basename(o).split(".")[0] for o in objs})}
    for n in sorted(calls):
        print(f"{n}.o calls {', '.join(calls[n]) or '-'}")
    # strongly connected components: modules that call each other round a loop (informational: the backend
    # contract, engine -> registry -> backend -> engine's cycle entry points, is one by design)
    index, low, on, st, comps, counter = {}, {}, set(), [], [], [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        st.append(v)
        on.add(v)
        for w in calls[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = st.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in calls:
        if v not in index:
            strong(v)
    for c in comps:
        print("modules calling each other: " + ", ".join(c))
    if not comps:
        print(f"no call cycle among {len(calls)} objects")
