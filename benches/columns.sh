#!/usr/bin/env bash
# What `--column-unit` costs on the worst line: a manifest whose grants are
# one flow-style line, each grant's `storage` misspelt after non-ASCII text,
# so that every finding sits far into one long line. Each column comes from
# the nearest checkpoint before it (every 256 bytes), so the time should grow
# with the findings, not with findings times the line's length, and be
# about the same in every unit.
#
#   bash benches/columns.sh            # 2000 grants (one line of ~300 KB)
#   bash benches/columns.sh 8000
# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"
n=${1:-2000}
python3 - "$n" "$work/long.yaml" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
grants = ", ".join(
    f'{{id: g{i}, feature: "Zoë 漢 😀 {i}", api: graph/me, data: [profile.name], '
    f'subjects: [user], operations: [read], necessity: {{read: "показать имя"}}, '
    f'lawful_basis: consent, consent: {{mechanism: per_feature_opt_in, covers: [user], '
    f'recorded: true, withdrawable: true}}, honors_privacy_settings: true, '
    f'hides_access_indicators: false, storage: partner_servrs, retention: 30d, '
    f'deletion_propagation: 14d, monthly_users: 2400000, granted: 2014-03-01}}'
    for i in range(n)
)
text = open("examples/compliant/nordlys-music.yaml", encoding="utf-8").read()
head, rest = text.split("grants:\n", 1)
tail = rest[rest.index("\ngovernance:") + 1:]
open(out, "w", encoding="utf-8").write(head + "grants: [" + grants + "]\n" + tail)
PY
ls -l "$work/long.yaml" | awk '{print "manifest: " $5 " bytes on one line of grants"}'
{ "$bin" check "$work/long.yaml" --format short --as-of 2018-12-18 2>/dev/null || true; } | wc -l | awk '{print "findings: " $1}'
cmds=()
for unit in bytes chars utf16 display; do
  cmds+=("$bin check $work/long.yaml --format short --as-of 2018-12-18 --column-unit $unit")
done
hyperfine --warmup 2 --ignore-failure "${cmds[@]}"
