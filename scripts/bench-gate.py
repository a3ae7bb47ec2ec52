#!/usr/bin/env python3
"""Gate CI on malloc counts: compare the p90 files the benchmark plugin wrote for this run
(`thresholds update --path RUN_DIR`) with the committed Benchmarks/Thresholds/ files, on
mallocCountTotal only; print every benchmark's p90 wall clock and mallocs as a table.

Why not `swift package benchmark thresholds check`: ordo-one/benchmark 1.38.1 writes threshold
files with '/' and ' ' in names turned into '_', but looks them up without that step, so a
benchmark whose name has a space or a slash never finds its file. Comparing the plugin's own
files for this run with the committed ones avoids the lookup. Times are reported, never gated:
they depend on the machine.

usage: bench-gate.py RUN_DIR THRESHOLDS_DIR
"""
import json, os, sys

run_dir, thresholds_dir = sys.argv[1], sys.argv[2]
current = {f: json.load(open(os.path.join(run_dir, f))) for f in sorted(os.listdir(run_dir)) if f.endswith(".p90.json")}
if not current:
    print(f"bench-gate: the run wrote no results into {run_dir}", file=sys.stderr)
    sys.exit(2)

failures, missing = [], []
print("| benchmark (p90) | wall clock (ns) | mallocs | threshold |")
print("|---|---:|---:|---:|")
for file, values in current.items():
    name = file[: -len(".p90.json")]
    mallocs = values.get("mallocCountTotal")
    try:
        limit = json.load(open(os.path.join(thresholds_dir, file)))["mallocCountTotal"]
    except (OSError, KeyError, ValueError):
        limit = None
        missing.append(name)
    print(f"| {name} | {values.get('wallClock', '?')} | {mallocs} | {limit if limit is not None else 'none'} |")
    if limit is not None and mallocs is not None and mallocs > limit:
        failures.append(f"{name}: {mallocs} mallocs, threshold {limit}")

for name in missing:
    print(f"bench-gate: no malloc threshold for {name}: run scripts/bench --update and commit it", file=sys.stderr)
for entry in failures:
    print(f"bench-gate: REGRESSION {entry}", file=sys.stderr)
print(f"bench-gate: {len(current)} benchmarks, {len(failures)} above their malloc threshold, {len(missing)} without one")
sys.exit(1 if failures or missing else 0)
