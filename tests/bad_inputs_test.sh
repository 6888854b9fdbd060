#!/usr/bin/env bash
# Every bad input file gets exit 2 and one line on stderr naming the file and
# the line or field; a failed `scenarios import` writes nothing to the store.
#   tests/bad_inputs_test.sh <dispatchlab binary>
set -uo pipefail
bin=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/dl_bad.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
# expect <file> <expected substring> <args...>: exit 2, one stderr line with it
expect() {
  local name=$1 want=$2
  shift 2
  local rc=0
  "$bin" "$@" >"$work/out" 2>"$work/err" || rc=$?
  local lines
  lines=$(grep -c '' "$work/err")
  if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$want" "$work/err"; then
    echo "FAIL $name: exit $rc, $lines stderr lines, wanted '$want':"
    head -n 5 "$work/err"
    failures=$((failures + 1))
  else
    echo "ok   $name: $(cat "$work/err")"
  fi
}
w() { printf '%b' "$2" >"$work/$1"; echo "$work/$1"; }

f=$(w zero_header.txt '0 5\n')
expect "instance: zero jobs" "$f:1: jobs (0) and machines (5) must be positive" jobshop run --instance "$f"
f=$(w absurd.txt '1000000000 1000000000\n')
expect "instance: absurd header" "$f:1: at most 100000 jobs, found 1000000000" jobshop run --instance "$f"
f=$(w neg.txt '1 2\n0 5 1 -5\n')
expect "instance: negative time" "$f:2: job 0 operation 1: processing time -5 must be in [0, 1000000000]" jobshop run --instance "$f"
f=$(w garbage.txt '\x00\xff\xfe binary\n')
expect "instance: binary garbage" "$f:1:" jobshop run --instance "$f"
f=$(w tai.txt 'Nb of jobs, Nb of Machines\n2 2\nTimes\n1 2\n3 4\nMachines\n1 2\n2 3\n')
expect "instance: Taillard machine" "$f:8: job 1 operation 1: machine 3 out of range [1, 2]" jobshop run --instance "$f"
f=$(w zero_ok.txt '2 2\n0 0 1 3\n1 0 0 2\n')
if "$bin" jobshop run --instance "$f" >/dev/null 2>"$work/err"; then
  echo "ok   instance: zero-duration operations run"
else
  echo "FAIL instance: zero-duration operations refused: $(cat "$work/err")"; failures=$((failures + 1))
fi

f=$(w bad.csv 'job,op,machine,start,duration,leaves_machine_at\n0,0,2,0,1\n')
expect "schedule CSV: short row" "$f:2: expected 6 fields" jobshop validate --instance ft06 --schedule "$f"
f=$(w huge.csv 'job,op,machine,start,duration,leaves_machine_at\n0,0,99999999999,0,1,1\n')
expect "schedule CSV: huge id" "$f:2: field 'machine'" jobshop validate --instance ft06 --schedule "$f"
good=$(w good.csv 'job,op,machine,start,duration,leaves_machine_at\n')
f=$(w down.csv 'machine,start\n')
expect "down CSV: header" "$f:1: expected the header 'machine,start,end'" jobshop validate --instance ft06 --schedule "$good" --down "$f"

big=$(printf '1%.0s' $(seq 400))
f=$(w aircraft.json "{\"vertiports\": [{\"name\": \"A\", \"x_mi\": 0, \"y_mi\": 0}, {\"name\": \"B\", \"x_mi\": 5, \"y_mi\": 0}], \"fleet\": {\"aircraft\": $big}}\n")
expect "UAM: 400-digit aircraft" "$f: fleet.aircraft: not valid JSON" uam run --scenario "$f"
f=$(w aircraft2.json '{"vertiports": [{"name": "A", "x_mi": 0, "y_mi": 0}, {"name": "B", "x_mi": 5, "y_mi": 0}], "fleet": {"aircraft": 1e300}}\n')
expect "UAM: 1e300 aircraft" "$f: fleet.aircraft: expected an integer" uam run --scenario "$f"
f=$(w stands.json '{"vertiports": [{"name": "A", "x_mi": 0, "y_mi": 0, "stands": 2147483647}, {"name": "B", "x_mi": 5, "y_mi": 0, "stands": 2147483647}]}\n')
expect "UAM: stands overflow" "$f: vertiports[0].stands: must be in [1, 10000]" uam run --scenario "$f"
f=$(w trunc.json '{"vertiports": [{"name": "A", "x_mi": 0,\n')
expect "UAM: truncated" "$f: vertiports[0].x_mi: not valid JSON" uam run --scenario "$f"

f=$(w names.json '{"vertiports": [{"name": "a\\nb", "x_mi": 0, "y_mi": 0}, {"name": "a\\nb", "x_mi": 5, "y_mi": 0}]}\n')
expect "UAM: newline in a duplicate name" "$f: vertiports[1].name: duplicate name 'a\\x0ab'" uam run --scenario "$f"

f=$(w weights.safetensors '\x10\x00\x00\x00\x00\x00\x00\x00{"a": 1}   ')
expect "weights file: garbage" "$f" jobshop run --instance ft06 --policy "$f"

if "$bin" train --help 2>&1 | grep -q -- --config; then
  f=$(w train.json '{"envs": 1e300}\n')
  expect "train config: 1e300 envs" "$f" train --config "$f" --out "$work/run" --db "$work/t.db"
fi

# scenarios import: a failed import writes nothing.
db=$work/store.db
"$bin" scenarios import "$work/zero_ok.txt" --db "$db" >/dev/null 2>&1 ||
  { echo "FAIL import of a good file"; failures=$((failures + 1)); }
before=$(sqlite3 "$db" 'SELECT COUNT(*), COALESCE(MAX(id), 0) FROM scenarios; PRAGMA data_version' | tr '\n' ' ')
sum_before=$(sqlite3 "$db" 'SELECT group_concat(domain || name || body, "|") FROM scenarios')
expect "import: bad instance" "$work/neg.txt:2:" scenarios import "$work/neg.txt" --db "$db"
expect "import: bad UAM file" "$work/aircraft.json: fleet.aircraft" scenarios import "$work/aircraft.json" --domain uam --db "$db"
expect "import: absurd header" "$work/absurd.txt:1: at most" scenarios import "$work/absurd.txt" --db "$db"
after=$(sqlite3 "$db" 'SELECT COUNT(*), COALESCE(MAX(id), 0) FROM scenarios; PRAGMA data_version' | tr '\n' ' ')
sum_after=$(sqlite3 "$db" 'SELECT group_concat(domain || name || body, "|") FROM scenarios')
if [ "$before" != "$after" ] || [ "$sum_before" != "$sum_after" ]; then
  echo "FAIL failed imports changed the store: $before -> $after"; failures=$((failures + 1))
else
  echo "ok   failed imports left the store as it was ($before)"
fi
newdb=$work/never.db
expect "import into a new store: bad file" "$work/neg.txt:2:" scenarios import "$work/neg.txt" --db "$newdb"
if [ -e "$newdb" ]; then echo "FAIL a failed import created $newdb"; failures=$((failures + 1)); fi

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
