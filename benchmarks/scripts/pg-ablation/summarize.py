#!/usr/bin/env python3
"""Summarizes run.sh output: per variant the median and range of backend CPU µs per script run, and the step to the
variant listed before it, as the median of the per-round differences (rounds alternate variants, so a round's
differences share its load). usage: summarize.py [--user] FILE.tsv [variant order...]; --user: the user part only (run.sh's 5th column)."""
import statistics, sys
from collections import defaultdict

user = sys.argv[1] == '--user'
args = sys.argv[2:] if user else sys.argv[1:]
rows = [line.rstrip('\n').split('\t') for line in open(args[0]) if line.strip()]
runs = defaultdict(dict)
for script, rnd, cpu, *rest in rows:
    runs[script.removesuffix('.sql')][int(rnd)] = float(rest[1] if user else cpu)
order = args[1:] or list(runs)
print('| variant | µs per run, median (min–max) | runs | step Δ, median of per-round differences (min–max) | Δ to the first |')
print('|---|---:|---:|---:|---:|')
first = order[0]
for i, v in enumerate(order):
    values = list(runs[v].values())
    cell = f'{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})'
    def diff(a, b):
        d = [runs[b][r] - runs[a][r] for r in runs[b] if r in runs[a]]
        return f'{statistics.median(d):+.1f} ({min(d):+.1f}…{max(d):+.1f})' if d else ''
    step = diff(order[i - 1], v) if i else ''
    print(f'| {v} | {cell} | {len(values)} | {step} | {diff(first, v) if i else ""} |')
