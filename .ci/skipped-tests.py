#!/usr/bin/env python3
"""Lists every skipped test in the surefire/failsafe XML reports of all modules.

Usage: skipped-tests.py [ROOT]. Exit code 1 if any test was skipped (or no report was found,
which would mean no test ran), else 0. CI treats a skip as a failure: a test that skips when its
data is missing would otherwise hide a failure.
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET

root = sys.argv[1] if len(sys.argv) > 1 else "."
reports = sorted(
    glob.glob(os.path.join(root, "*", "target", "surefire-reports", "TEST-*.xml"))
    + glob.glob(os.path.join(root, "*", "target", "failsafe-reports", "TEST-*.xml"))
)
if not reports:
    print("no test reports under */target/{surefire,failsafe}-reports: did the tests run?")
    sys.exit(1)
skipped = []
total = 0
for path in reports:
    suite = ET.parse(path).getroot()
    for case in suite.iter("testcase"):
        total += 1
        s = case.find("skipped")
        if s is not None:
            why = s.get("message") or (s.text or "").strip() or "no reason given"
            why = why.splitlines()[0]
            skipped.append(f"{case.get('classname')}.{case.get('name')}: {why} ({path})")
if skipped:
    print(f"{len(skipped)} of {total} tests were skipped; CI allows none:")
    for line in skipped:
        print("  SKIPPED " + line)
    sys.exit(1)
print(f"{total} tests in {len(reports)} reports, none skipped")
