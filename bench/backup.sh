#!/usr/bin/env bash
# Backup and restore throughput and peak memory: `sealbox backup` / `sealbox restore` against
# `sqlite3 .backup` + `tar | age` (and `age -d | tar x`) on the same data in the same run.
#
#   bench/backup.sh [CASES] [FILE_MIB]     default: 10000 cases, 1024 MiB of attachments
#
# Needs sqlite3, age, age-keygen, curl and GNU time (/usr/bin/time). SEALBOX_BIN picks the
# binary (default: target/release/sealbox, else target/debug/sealbox, whose dependencies are
# built optimised). WORK picks the scratch directory (default: a new one under /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-10000}
file_mib=${2:-1024}
bin=${SEALBOX_BIN:-}
if [ -z "$bin" ]; then
  if [ -x target/release/sealbox ]; then bin=target/release/sealbox; else bin=target/debug/sealbox; fi
fi
bin=$(realpath "$bin")
for tool in sqlite3 age age-keygen curl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/backup.sh needs $tool" >&2; exit 1; }
done
work=${WORK:-$(mktemp -d /tmp/sealbox-backup-bench.XXXXXX)}
mkdir -p "$work"
cd "$work"
echo "binary: $bin; scratch: $work" >&2

if [ ! -f data/sealbox.sqlite ]; then
  age-keygen -o recovery.txt 2>/dev/null
  recipient=$(grep -o 'age1[0-9a-z]*' recovery.txt)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >sealbox.toml <<EOF
recovery_recipient = "$recipient"
[limits]
cases_per_hour_per_client = 0
EOF
  "$bin" --config sealbox.toml --data-dir data serve --listen "127.0.0.1:$port" 2>serve.log &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; done
  url="http://127.0.0.1:$port/api/v1/cases"
  echo "submitting $cases cases..." >&2
  seq 1 "$cases" | xargs -P 4 -I{} curl -fsS -o /dev/null -H 'content-type: application/json' \
    -d '{"channel":"report","fields":{"what":"Benchmark case {}: invoices approved twice by the same manager."}}' "$url"
  # The attachments: 64 MiB each, spread over cases of their own.
  n=$(( (file_mib + 63) / 64 ))
  head -c $((64 << 20)) /dev/urandom >blob.bin
  echo "submitting $n cases with a 64 MiB attachment each..." >&2
  for i in $(seq 1 "$n"); do
    curl -fsS -o /dev/null -F 'case={"channel":"report","fields":{"what":"with a file"}};type=application/json' \
      -F "file=@blob.bin;type=application/octet-stream" "$url"
  done
  rm blob.bin
  kill "$server"; wait "$server" 2>/dev/null || true
  trap - EXIT
fi
recipient=$(grep -o 'age1[0-9a-z]*' recovery.txt)
size_mib=$(du -sm data | cut -f1)
echo "data dir: $(sqlite3 data/sealbox.sqlite 'SELECT COUNT(*) FROM cases') cases, $(ls data/files | wc -l) files, $size_mib MiB" >&2

# measure LABEL CMD...: wall seconds and peak RSS from GNU time.
measure() {
  local label=$1; shift
  sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
  /usr/bin/time -v "$@" 2>time.txt >/dev/null || { cat time.txt >&2; exit 1; }
  local wall rss secs
  wall=$(grep 'Elapsed (wall clock)' time.txt | awk '{print $NF}')
  rss=$(grep 'Maximum resident' time.txt | awk '{print $NF}')
  secs=$(python3 -c "p='$wall'.split(':'); print(sum(float(x)*60**i for i,x in enumerate(reversed(p))))")
  printf '%-34s %8.1f s %8.0f MiB/s %8.1f MiB peak RSS\n' "$label" "$secs" \
    "$(python3 -c "print($size_mib/max($secs,0.001))")" "$(python3 -c "print($rss/1024)")"
}

rm -rf backup.age restored baseline.age baseline-db.sqlite baseline-restored
printf '%-34s %10s %14s %18s\n' "step ($size_mib MiB)" "time" "throughput" "memory"
measure "sealbox backup" "$bin" --config sealbox.toml --data-dir data backup --to backup.age
measure "sqlite3 .backup + tar | age" sh -c \
  "sqlite3 data/sealbox.sqlite '.backup baseline-db.sqlite' && \
   tar -c --transform 's,^baseline-db.sqlite,sealbox.sqlite,' baseline-db.sqlite -C data keys files \
   | age -r $recipient -o baseline.age"
measure "sealbox restore" "$bin" --config sealbox.toml --data-dir restored restore \
  --from backup.age --identity recovery.txt
measure "age -d | tar x" sh -c \
  "mkdir baseline-restored && age -d -i recovery.txt baseline.age | tar -x -C baseline-restored"
measure "sealbox backup --verify" "$bin" --config sealbox.toml --data-dir data backup \
  --verify backup.age --identity recovery.txt
ls -l backup.age baseline.age >&2
