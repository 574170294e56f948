#!/usr/bin/env python3
"""The shape the code keeps (docs/architecture.md), checked on every build:
 - no dependency cycle among the files of src/ and probes/: file A depends on file B when A
   uses a symbol B defines (read from the object files with nm);
 - every symbol the core library exports has the project's prefix: dc_ when a public header
   (include/dmsconn/) declares it, dci_ otherwise; and a dc_ symbol is one that something
   outside the core calls (the CLI, a test, a fuzzer, a benchmark): the public API is what a
   program embedding dmsconn uses, the rest is dci_ in a private header of its part;
 - every probe a file of probes/ defines (dci_probe_NAME) is in the registry;
 - no report tells checks apart by matching their names or their probe's: a check's family
   (declared by its probe or the check) says which group it belongs to;
 - one writer of results: in the engine and the probes only engine_results.c writes a
   struct dc_result (a driver hands its outcome to dci_engine_settle);
 - no call back up from a driver to the scheduler: struct engine holds no function pointer;
 - one place for each decision several parts need: the pre-flight twin's index
   (dci_task_use_twin, src/profile/profile.c), the wording of a probe's deadline
   (dci_engine_silence, src/engine/engine_results.c), the engine's defaults
   (dc_engine_opts_default, src/engine/engine_opts.c);
 - no source file over 600 lines, and every public header compiles on its own;
 - no test for a platform outside the OS layer (src/base/os_*.c) and DC_PRINTF's one macro;
 - every document a comment cites (an RFC, an MS- open specification, a *.md or *.spec file)
   is a file of the repository or listed in docs/references.md, and nothing cites the
   developers' notes outside the repository.
Usage: check_structure.py SOURCE_DIR CORE_OBJECTS... -- PROGRAM_OBJECTS...
Prints each breach and exits 1; exits 0 when there is none."""
import os
import re
import subprocess
import sys

MAX_LINES = 600
PREFIXES = ("dc_", "dci_")


def symbols(obj):
    """(defined globals, undefined) of one object file."""
    out = subprocess.run(["nm", "-g", obj], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBRVWC":
            defined.add(parts[2])
    return defined, undefined


def source_name(obj, root):
    """src/engine/engine.c for .../src/engine.c.o"""
    path = obj[:-2] if obj.endswith(".o") else obj
    for part in ("src/", "probes/"):
        i = path.rfind("/" + part)
        if i >= 0:
            return path[i + 1:]
    return os.path.relpath(path, root)


def cycles(graph):
    """Strongly connected components with more than one file (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            advanced = False
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


CITED = re.compile(r"\bMS-[A-Z]{3,6}\b|\bRFC ?[0-9]{3,5}\b|[A-Za-z0-9_./-]+\.(?:md|spec)\b")
OUTSIDE = re.compile(r"ENV-NOTES|\.\./shared|DATAMINER-FILES|\bDESIGN\.md|\bWINDOWS\.md")
CODE = (".c", ".h", ".py", ".sh", ".cs", ".java", ".proto", ".txt", ".cmake")


def citations(root):
    """Breaches: documents cited by the code that a reader could not find."""
    refs_path = os.path.join(root, "docs", "references.md")
    with open(refs_path, encoding="utf-8") as fh:
        refs = fh.read()
    listed = {m.replace("RFC", "RFC ").replace("  ", " ") for m in CITED.findall(refs)}
    repo_files = subprocess.run(["git", "-C", root, "ls-files"], capture_output=True, text=True,
                                check=True).stdout.split()
    names = set(repo_files) | {os.path.basename(f) for f in repo_files}
    breaches = []
    for path in repo_files:
        top = path.split("/")[0]
        if top not in ("src", "probes", "include", "tests", "bench", "scripts") and \
                path != "CMakeLists.txt":
            continue
        if path.startswith(("tests/data/", "tests/fuzz/seeds/", "tests/fuzz/regressions/",
                            "tests/structure/")):
            continue
        if "." in os.path.basename(path) and not path.endswith(CODE):
            continue
        try:
            with open(os.path.join(root, path), encoding="utf-8") as fh:
                text = fh.read()
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        for n, line in enumerate(text.splitlines(), 1):
            for m in OUTSIDE.findall(line):
                breaches.append(f"{path}:{n}: cites '{m}', which is not in the repository")
            for m in CITED.findall(line):
                cite = m.replace("RFC", "RFC ").replace("  ", " ")
                if cite in listed or m in names or m.lstrip("./") in names:
                    continue
                breaches.append(f"{path}:{n}: cites '{m}': neither a file of the repository "
                                f"nor in docs/references.md")
    return breaches


def headers_alone(root):
    """Breaches: public headers that need another included before them."""
    breaches = []
    inc = os.path.join(root, "include")
    for name in sorted(os.listdir(os.path.join(inc, "dmsconn"))):
        if not name.endswith(".h"):
            continue
        src = f'#include "dmsconn/{name}"\n'
        run = subprocess.run(["cc", "-std=c11", "-fsyntax-only", "-Wall", "-Werror", "-I", inc,
                              "-x", "c", "-"], input=src, capture_output=True, text=True)
        if run.returncode != 0:
            errors = [ln for ln in run.stderr.splitlines() if "error:" in ln]
            first = (errors or run.stderr.strip().splitlines() or ["?"])[0]
            breaches.append(f"include/dmsconn/{name} does not compile alone: {first}")
    return breaches


# Rules on source lines, each: (what it is about, the folders it reads (path prefixes), the
# files it leaves out, the pattern a breaching line matches, what the breach says). Every
# source file is read once for all of them.
ONE_PLACE_SCOPE = ("src/", "probes/")
LINE_RULES = [
    # no test for a platform outside the OS layer
    (("src/", "probes/", "include/"),
     ("src/base/os_posix.c", "src/base/os_windows.c", "include/dmsconn/error.h"),
     re.compile(r"^\s*#\s*(if|ifdef|ifndef|elif)\b.*(_WIN32|__linux__|__MINGW32__|__GLIBC__|"
                r"__APPLE__)"),
     "tests for a platform; that is the OS layer's (src/base/os.h)"),
    # no report tells checks apart by matching their names
    (("src/report/",), (),
     re.compile(r'str(?:str|n?cmp|casecmp)\s*\([^;]*\b(?:probe|c|check)->name\b[^;]*"'),
     "matches a check by its name; read its family (struct dc_check.family) instead"),
    # one writer of results
    (("src/engine/", "probes/"), ("src/engine/engine_results.c",),
     re.compile(r"results\[[^]]*\]\.\w+\s*=[^=]|^\s*struct dc_result \*\w+\s*=\s*&"),
     "writes a result; only dci_engine_settle (engine_results.c) does: hand it the probe's "
     "outcome"),
    # one place for each decision several parts need (a command's own default, the agent's
    # 30 s or the demo's 1 s, is the command's, not the engine's)
    (ONE_PLACE_SCOPE, ("src/profile/profile.c",), re.compile(r"\.check\s*\+="),
     "decides the pre-flight twin's index again; that is src/profile/profile.c's"),
    (ONE_PLACE_SCOPE, ("src/engine/engine_results.c",),
     re.compile(r'"(no answer|no TLS handshake|connected, but no HTTP answer) within'),
     "decides a deadline's wording again; that is src/engine/engine_results.c's"),
    (("src/engine/",), ("src/engine/engine_opts.c",),
     re.compile(r"(timeout_s|concurrency|per_node)\s*=\s*[0-9]"),
     "decides an engine default again; that is src/engine/engine_opts.c's"),
    # the walls: the include table of docs/architecture.md
    (("include/dmsconn/",), (), re.compile(r'#\s*include\s+"(?!dmsconn/)'),
     "a public header includes only public headers"),
    (("src/base/",), (), re.compile(r'#\s*include\s+"(inputs|profile|engine|agent|report|cli)/'),
     "the base builds on no other part"),
    (("probes/",), (), re.compile(r'#\s*include\s+"(engine|src)/|engine_\w+\.h"'),
     "a probe sees only what its driver hands its judge"),
    (("src/cli/",), (), re.compile(r'#\s*include\s+"(\w+/\w+_private\.h|probes/|engine/)'),
     "the CLI uses the public API only"),
]


def line_rules(root):
    """Breaches: source lines that break a rule of LINE_RULES."""
    breaches = []
    for top in ("src", "probes", "include"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                path = os.path.relpath(os.path.join(dirpath, f), root).replace(os.sep, "/")
                if not f.endswith((".c", ".h")):
                    continue
                rules = [(pattern, why) for scope, exempt, pattern, why in LINE_RULES
                         if path.startswith(scope) and path not in exempt]
                if not rules:
                    continue
                with open(os.path.join(root, path), encoding="utf-8") as fh:
                    for n, line in enumerate(fh, 1):
                        for pattern, why in rules:
                            if pattern.search(line):
                                breaches.append(f"{path}:{n}: {why}")
    return breaches


def no_call_up(root):
    """Breaches: a function pointer in struct engine, the way a driver could call the scheduler
    without the cycle check seeing it (the scheduler calls down through struct dci_driver; the
    drivers leave what they give back for its turn)."""
    path = "src/engine/engine_private.h"
    with open(os.path.join(root, path), encoding="utf-8") as fh:
        text = fh.read()
    m = re.search(r"^struct engine \{(.*?)^\};", text, re.S | re.M)
    if not m:
        return [f"{path}: no struct engine"]
    if re.search(r"\(\s*\*\s*\w+\s*\)\s*\(", m.group(1)):
        return [f"{path}: struct engine holds a function pointer: a call back up to the "
                f"scheduler hidden from the cycle check; leave it for the scheduler's turn"]
    return []


def main(argv):
    if len(argv) < 3 or "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    root = argv[1]
    sep = argv.index("--")
    core, program = argv[2:sep], argv[sep + 1:]
    breaches = []
    defs, uses, owner = {}, {}, {}
    for obj in core + program:
        name = source_name(obj, root)
        defs[name], uses[name] = symbols(obj)
        for sym in defs[name]:
            owner[sym] = name
    public = set()
    inc = os.path.join(root, "include", "dmsconn")
    for h in os.listdir(inc):
        with open(os.path.join(inc, h), encoding="utf-8") as fh:
            public |= set(re.findall(r"\bdc_\w+", fh.read()))
    for obj in core:
        name = source_name(obj, root)
        for sym in sorted(defs[name]):
            # "__...": the compiler's own (a sanitizer's __odr_asan.NAME, say)
            if sym.startswith("__"):
                continue
            if not sym.startswith(PREFIXES):
                breaches.append(f"{name}: exports '{sym}' without the prefix dc_ or dci_")
            elif sym.startswith("dc_") and sym not in public:
                breaches.append(f"{name}: exports '{sym}', which no public header declares: "
                                f"an internal name is dci_")
    # the public API is what is used outside the core: the CLI, the tests, fuzzers, benchmarks
    outside = subprocess.run(["git", "-C", root, "ls-files", "src/cli", "tests", "bench"],
                             capture_output=True, text=True, check=True).stdout.split()
    outside_text = ""
    for path in outside:
        if path.endswith((".c", ".h")) and os.path.exists(os.path.join(root, path)):
            with open(os.path.join(root, path), encoding="utf-8") as fh:
                outside_text += fh.read()
    used_outside = set(re.findall(r"\bdc_\w+", outside_text))
    for obj in core:
        name = source_name(obj, root)
        for sym in sorted(defs[name]):
            if sym.startswith("dc_") and sym not in used_outside:
                breaches.append(f"{name}: exports '{sym}', which nothing outside the core uses "
                                f"(the CLI, a test, a fuzzer): not public API, make it dci_ in "
                                f"a private header of its part")
    # a probe is in the registry (probes/probe_list.h): a probe file whose dci_probe_ the
    # registry does not take would build and pass every test while it is dead
    registry = uses.get("probes/registry.c", set())
    for name, defined in defs.items():
        if not name.startswith("probes/"):
            continue
        for sym in sorted(defined):
            if sym.startswith("dci_probe_") and sym not in registry:
                breaches.append(f"{name}: defines the probe '{sym}', which the registry lacks: "
                                f"add its line to probes/probe_list.h")
    graph = {name: set() for name in defs}
    for name, used in uses.items():
        for sym in used:
            if sym in owner and owner[sym] != name:
                graph[name].add(owner[sym])
    for comp in cycles(graph):
        breaches.append("dependency cycle among " + ", ".join(comp))
    for top in ("src", "probes", "include"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    path = os.path.join(dirpath, f)
                    with open(path, encoding="utf-8") as fh:
                        n = sum(1 for _ in fh)
                    if n > MAX_LINES:
                        breaches.append(f"{os.path.relpath(path, root)}: {n} lines (at most {MAX_LINES})")
    breaches += citations(root)
    breaches += headers_alone(root)
    breaches += line_rules(root)
    breaches += no_call_up(root)
    for b in breaches:
        print("check_structure: " + b)
    print(f"check_structure: {len(defs)} files, {sum(len(g) for g in graph.values())} "
          f"dependencies, {len(breaches)} breach(es)")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
