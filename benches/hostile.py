#!/usr/bin/env python3
"""Hostile inputs, timed: what a file can make proviso do.

Each case is one generated file checked beside a good one; the table gives
wall time, peak resident memory (files up to 64 MiB are read), the exit code and the first line of what
was reported for the hostile file. Every case must end promptly, in bounded
memory, with a finding for the hostile file alone.

    cargo build --release
    python3 benches/hostile.py [path/to/proviso]
"""

import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/release/proviso")
BASE = open(os.path.join(ROOT, "examples/compliant/nordlys-music.yaml")).read()
GRANT = re.search(r"(?ms)^  - id: own-profile\n.*?(?=^\S)", BASE).group(0)
FEATURE = re.search(r"(?ms)^  - id: profile-in-player\n.*?(?=^\S)", BASE).group(0)


def with_grants(grants, features=None):
    text = BASE.replace(GRANT, "".join(grants))
    if features is not None:
        text = text.replace(FEATURE, "".join(features))
    return text


def failing_grants(n):
    bad = GRANT.replace("honors_privacy_settings: true", "honors_privacy_settings: false")
    return with_grants(bad.replace("id: own-profile", f"id: g-{i}") for i in range(n))


def many_findings(n):
    # Every grant fails several rules: consent, settings, indicators, retention.
    bad = (
        GRANT.replace("honors_privacy_settings: true", "honors_privacy_settings: false")
        .replace("hides_access_indicators: false", "hides_access_indicators: true")
        .replace("    retention: 30d\n", "")
        .replace("mechanism: per_feature_opt_in", "mechanism: none")
    )
    return with_grants(bad.replace("id: own-profile", f"id: g-{i}") for i in range(n))


def unknown_keys(n):
    return BASE + "".join(f"unknown_{i}: 1\n" for i in range(n))


def wide_join(n):
    compact_feature = "  - {{id: f-{i}, description: d, purposes: [p], launched: 2014-03-01}}\n"
    compact_grant = (
        "  - {{id: g-{i}, feature: f-{i}, api: a, data: [profile.name], subjects: [user],"
        " operations: [read], necessity: {{read: r}}, lawful_basis: consent,"
        " consent: {{mechanism: per_feature_opt_in, covers: [user], recorded: true, withdrawable: true}},"
        " honors_privacy_settings: true, hides_access_indicators: false, storage: on_device,"
        " retention: 30d, deletion_propagation: 14d, granted: 2014-03-01, revoked: 2017-07-14}}\n"
    )
    return with_grants(
        [compact_grant.format(i=i) for i in range(n)],
        [compact_feature.format(i=i) for i in range(n)],
    )


def alias_bomb(items, uses):
    return BASE + "big: &b [" + ",".join(["x"] * items) + "]\nuses:\n" + "  - *b\n" * uses


def deep_after_quote(depth):
    return BASE + 'q: "\\\\"\nr: ' + "[" * depth + "\n"


CASES = [
    ("10,000 failing grants", lambda: failing_grants(10_000)),
    ("255,000 findings", lambda: many_findings(64_000)),
    ("200,000 unknown keys", lambda: unknown_keys(200_000)),
    ("15,000 x 15,000 join", lambda: wide_join(15_000)),
    ("alias bomb, 116 KB", lambda: alias_bomb(10_000, 3_000)),
    ("alias bomb, 1.7 MB", lambda: alias_bomb(10_000, 80_000) + "#" * 1_200_000 + "\n"),
    ("200,000 levels after a quote", lambda: deep_after_quote(200_000)),
]


def run(dir):
    out = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", BIN, "check", "--format", "short", "--as-of", "2019-06-01",
         "--max-file-size", "64MiB", dir],
        capture_output=True,
        text=True,
    )
    seconds, kib = out.stderr.strip().splitlines()[-1].split()
    return out, float(seconds), int(kib) / 1024


def main():
    print(f"{'case':32} {'size':>9} {'seconds':>8} {'peak MiB':>9} exit  findings for the file")
    for name, make in CASES:
        with tempfile.TemporaryDirectory() as dir:
            text = make()
            with open(os.path.join(dir, "hostile.yaml"), "w") as f:
                f.write(text)
            good = BASE.replace("honors_privacy_settings: true", "honors_privacy_settings: false")
            with open(os.path.join(dir, "good.yaml"), "w") as f:
                f.write(good)
            out, seconds, mib = run(dir)
            lines = [l for l in out.stdout.splitlines() if "hostile.yaml:" in l]
            good_lines = [l for l in out.stdout.splitlines() if "good.yaml:" in l]
            assert good_lines, f"{name}: the good file's finding is missing"
            first = lines[0][:70] if lines else "(none)"
            size = f"{len(text.encode()) / 1024 / 1024:.1f} MiB"
            print(f"{name:32} {size:>9} {seconds:8.2f} {mib:9.0f} {out.returncode:4}  {len(lines)}: {first}")


if __name__ == "__main__":
    main()
