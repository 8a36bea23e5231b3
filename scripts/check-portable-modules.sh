#!/usr/bin/env bash
# Checks embedded/portable-modules.txt against Package.swift, so the two cannot drift: every
# listed module is a library target of the package with the same source folder; the list is in
# dependency order (a module after every target it depends on), a portable module depends only on
# portable modules, and each build (check, rv32, virtual, firmware) compiles every module a module
# of it depends on. Run by scripts/check-embedded.sh; about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
# A scratch directory of its own: reading the manifest then never waits for a build holding .build.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
manifest=$(swift package --scratch-path "$scratch" dump-package)
python3 - embedded/portable-modules.txt "$manifest" <<'PYTHON'
import json, sys

path, manifest = sys.argv[1], json.loads(sys.argv[2])
builds = {"check", "rv32", "virtual", "firmware"}
targets = {t["name"]: t for t in manifest["targets"]}

def depends_on(target):
    # Package.swift's dependencies: {"byName": [name, condition]}, {"target": [...]}, {"product": [...]}.
    return [next(iter(d.values()))[0] for d in target["dependencies"] if "product" not in d]

entries = []  # (line number, name, sources, builds)
for number, line in enumerate(open(path), 1):
    words = line.split()
    if words and not words[0].startswith("#"):
        entries.append((number, words[0], words[1] if len(words) > 1 else "", set(words[2:])))
names = [name for _, name, _, _ in entries]

problems = []
for index, (number, name, sources, used) in enumerate(entries):
    where = f"{path}:{number}"
    target = targets.get(name)
    if target is None or target["type"] != "regular":
        problems.append(f"{where}: {name} is not a library target in Package.swift")
        continue
    expected = target.get("path") or f"Sources/{name}"
    if sources != expected:
        problems.append(f"{where}: {name}'s sources are {sources or 'missing'}, Package.swift says {expected}")
    if not used or used - builds:
        problems.append(f"{where}: {name}'s builds must be some of {' '.join(sorted(builds))}")
    earlier = {n: u for _, n, _, u in entries[:index]}
    for dependency in depends_on(target):
        if dependency not in earlier:
            problems.append(f"{where}: {name} depends on {dependency}, which "
                            + ("must come before it" if dependency in names else "is not a portable module"))
        elif used - earlier[dependency]:
            problems.append(f"{where}: {name} depends on {dependency}, which the build(s) "
                            f"{' '.join(sorted(used - earlier[dependency]))} do not compile")

if problems:
    print("check-portable-modules: embedded/portable-modules.txt disagrees with Package.swift:", file=sys.stderr)
    for p in problems:
        print("  " + p, file=sys.stderr)
    sys.exit(1)
print(f"portable modules: {', '.join(names)}: in dependency order, as Package.swift has them")
PYTHON
