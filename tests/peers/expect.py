#!/usr/bin/env python3
"""Compares a dmsconn JSON report with the cases on stdin, one per line:
    check | expected state | text the detail or evidence must contain | why (the spec)
Prints every case with what the probe answered (the closing note's table comes from this),
and exits 1 if any differs. Blank lines and lines starting with # are skipped."""
import json
import sys

results = json.load(open(sys.argv[1]))["results"]
got = {x["check"]: x for x in results}
got.update({f'{x["check"]}@{x["to"]}': x for x in results})
bad = 0
cases = 0
for line in sys.stdin:
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    check, state, text, why = (part.strip() for part in line.split("|", 3))
    cases += 1
    x = got.get(check)
    if x is None:
        bad += 1
        print(f"FAIL {check}: not in the report")
        continue
    said = f"{x['state']}: {x.get('detail', '')}" + (f" [{x['evidence']}]" if x.get("evidence") else "")
    if x["state"] != state or text not in x.get("detail", "") + " " + x.get("evidence", ""):
        bad += 1
        print(f"FAIL {check}: expected {state} with '{text}' ({why}); got {said}")
    else:
        print(f"ok   {check}: {said}")
print(f"{cases - bad} of {cases} cases as expected")
sys.exit(1 if bad or not cases else 0)
