"""Reads a JUnit report of `proviso check` as CI services read it.

Usage: python3 consumers.py REPORT.xml HTML_OUT

The report is read twice, by junitparser (the library GitLab-style tools
and many CI scripts use) and by junit2html (which renders it as a page, as
a CI artifact viewer does); the page is written to HTML_OUT. Prints one
JSON object: how many cases each reader counts as failed, errored,
skipped and passed, the counts the document itself declares, and the
names of the cases that pass with output (findings that do not fail the
run). Exits 3 when a reader is not installed, 1 when the readers disagree
with each other or with the document's own counts.
"""

import json
import sys

try:
    from junitparser import Error, Failure, JUnitXml, Skipped
    from junit2htmlreport import parser as junit2html
except ImportError as e:
    print(
        f"cannot import {e.name}: the JUnit consumers are not installed; run "
        "`python3 -m pip install junitparser==5.0.3 junit2html==31.1.4`",
        file=sys.stderr,
    )
    sys.exit(3)


def by_junitparser(path):
    counts = {"failures": 0, "errors": 0, "skipped": 0, "passed": 0}
    declared = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    with_output = []
    xml = JUnitXml.fromfile(path)
    for suite in xml:
        declared["tests"] += suite.tests
        declared["failures"] += suite.failures
        declared["errors"] += suite.errors
        declared["skipped"] += suite.skipped
        for case in suite:
            results = case.result
            if any(isinstance(r, Failure) for r in results):
                counts["failures"] += 1
            elif any(isinstance(r, Error) for r in results):
                counts["errors"] += 1
            elif any(isinstance(r, Skipped) for r in results):
                counts["skipped"] += 1
            else:
                counts["passed"] += 1
                if case.system_out:
                    with_output.append(
                        {"rule": case.name, "path": case.classname, "output": case.system_out}
                    )
    return counts, declared, with_output


def by_junit2html(path, html_out):
    report = junit2html.Junit(filename=path)
    counts = {"failed": 0, "skipped": 0, "passed": 0}
    for suite in report:
        counts["failed"] += len(suite.failed())
        counts["skipped"] += len(suite.skipped())
        counts["passed"] += len(suite.passed())
    with open(html_out, "w", encoding="utf-8") as f:
        f.write(report.html())
    return counts


def main():
    path, html_out = sys.argv[1], sys.argv[2]
    counts, declared, with_output = by_junitparser(path)
    html = by_junit2html(path, html_out)
    print(
        json.dumps(
            {
                "junitparser": counts,
                "declared": declared,
                "junit2html": html,
                "passed_with_output": with_output,
            }
        )
    )
    problems = []
    total = sum(counts.values())
    if declared["tests"] != total:
        problems.append(f"the suites declare {declared['tests']} tests, junitparser reads {total}")
    for key in ("failures", "errors", "skipped"):
        if declared[key] != counts[key]:
            problems.append(f"the suites declare {declared[key]} {key}, junitparser reads {counts[key]}")
    if html["failed"] != counts["failures"] + counts["errors"]:
        problems.append(
            f"junit2html reads {html['failed']} failed cases, junitparser "
            f"{counts['failures']} failures and {counts['errors']} errors"
        )
    if html["skipped"] != counts["skipped"] or html["passed"] != counts["passed"]:
        problems.append(f"junit2html reads {html}, junitparser {counts}")
    for p in problems:
        print(p, file=sys.stderr)
    sys.exit(1 if problems else 0)


main()
