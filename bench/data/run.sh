#!/usr/bin/env bash
# Ingest benchmark of the data pipeline (see docs/performance.md):
#   ROWS=2000000 bash bench/data/run.sh
# Generates a CSV (8 mixed columns), uploads it over HTTP to a Release server (SQLite, loopback) and
# compares with DuckDB alone doing read_csv -> Parquet on the same file; reports the server's peak
# memory, profile time, and the cost of sealing/unsealing the Parquet file with the tenant key.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${ROWS:-2000000}"
PORT="${PORT:-5098}"
URL="http://127.0.0.1:$PORT"
WORK="$(mktemp -d)"
DATA="$WORK/data"
trap '[ "$pid" -gt 0 ] && kill $pid 2>/dev/null; rm -rf "$WORK"' EXIT
pid=0

/usr/bin/python3 bench/data/gen.py "$ROWS" "$WORK/bench.csv"
csv_bytes=$(stat -c %s "$WORK/bench.csv")
dotnet build src/Astralytiq.Server -c Release -v q -nologo >/dev/null
dotnet build bench/data/DuckDbDirect -c Release -v q -nologo >/dev/null

export ASTRALYTIQ_DATA_DIR="$DATA" Urls="$URL" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  Astralytiq__RateLimits__PerIp=1000000000 Astralytiq__RateLimits__PerUser=1000000000 \
  Astralytiq__RateLimits__PerTenant=1000000000 Astralytiq__RateLimits__SensitivePerIp=1000000000
dotnet src/Astralytiq.Server/bin/Release/net10.0/Astralytiq.Server.dll >"$WORK/server.log" 2>&1 &
pid=$!
until curl -sf "$URL/health/ready" >/dev/null; do sleep 0.1; done
TOKEN=$(curl -sf -X POST "$URL/api/v1/users/register" -H 'Content-Type: application/json' \
  -d '{"email":"ingest@example.com","password":"Quartz-Lantern-Mosaic-71","organization_name":"Bench"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
idle_kb=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)

t0=$(date +%s.%N)
read -r status upload < <(curl -s -o "$WORK/upload.json" -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $TOKEN" \
  -F "file=@$WORK/bench.csv;type=text/csv" -F "name=bench" "$URL/api/v1/data/datasets")
if [ "$status" = 202 ]; then
  # Large files are read by a background job: follow it to the end; the upload time is until it succeeded.
  job=$(sed -E 's/.*"job_id":"([^"]+)".*/\1/' "$WORK/upload.json")
  while :; do
    curl -sf -H "Authorization: Bearer $TOKEN" "$URL/api/v1/jobs/$job" > "$WORK/job.json"
    grep -q '"status":"succeeded"' "$WORK/job.json" && break
    if grep -qE '"status":"(failed|dead_lettered|cancelled)"' "$WORK/job.json"; then echo "ingest job failed: $(cat "$WORK/job.json")" >&2; exit 1; fi
    sleep 0.05
  done
  upload=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
  id=$(sed -E 's/.*\\"id\\":\\"([0-9a-f-]{36})\\".*/\1/' "$WORK/job.json")
elif [ "$status" = 201 ]; then
  id=$(sed -E 's/.*"id":"([^"]+)".*/\1/' "$WORK/upload.json" | head -c 36)
else
  echo "upload answered $status: $(head -c 500 "$WORK/upload.json")" >&2; exit 1
fi
peak_kb=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
profile_cold=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$URL/api/v1/data/datasets/$id/profile")
profile_warm=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$URL/api/v1/data/datasets/$id/profile")
SPEC='{"dimensions":[{"column":"category"}],"measures":[{"aggregation":"sum","column":"amount"},{"aggregation":"avg","column":"score"},{"aggregation":"count"}]}'
query_cold=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$SPEC" "$URL/api/v1/data/datasets/$id/query")
query_times=()
for i in 1 2 3 4 5 6 7 8 9; do
  spec_i="${SPEC%\}}"',"limit":'"$((1000 + i))"'}'
  query_times+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$spec_i" "$URL/api/v1/data/datasets/$id/query")")
done
query_p50=$(printf '%s\n' "${query_times[@]}" | sort -n | sed -n 5p)
query_cached=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$SPEC" "$URL/api/v1/data/datasets/$id/query")
# Transforms over the whole version (a job above 2M rows): row-level (filter + derived column) and grouped.
# Timed from the request until the job succeeded, like DuckDB alone writing the same result to Parquet.
transform() {
  local body="$1" t0 status
  t0=$(date +%s.%N)
  status=$(curl -s -o "$WORK/transform.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$body" "$URL/api/v1/data/datasets/$id/transform")
  if [ "$status" = 202 ]; then
    local job; job=$(sed -E 's/.*"job_id":"([^"]+)".*/\1/' "$WORK/transform.json")
    local polls=0
    until curl -sf -H "Authorization: Bearer $TOKEN" "$URL/api/v1/jobs/$job" > "$WORK/tjob.json" && grep -q '"status":"succeeded"' "$WORK/tjob.json"; do
      if grep -qE '"status":"(failed|dead_lettered|cancelled)"' "$WORK/tjob.json" 2>/dev/null; then echo "transform job failed: $(cat "$WORK/tjob.json")" >&2; exit 1; fi
      polls=$((polls + 1)); [ "$polls" -lt 12000 ] || { echo "transform job still running after 10 minutes" >&2; exit 1; }
      sleep 0.05
    done
  elif [ "$status" != 201 ]; then
    echo "transform answered $status: $(head -c 500 "$WORK/transform.json")" >&2; exit 1
  fi
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}
ROWLEVEL='[{"op":"filter","expression":"quantity > 10"},{"op":"derive","name":"net","expression":"amount * 0.8"}]'
GROUPED='[{"op":"filter","expression":"quantity > 10"},{"op":"group","group_by":["category"],"aggregations":[{"function":"sum","column":"amount"},{"function":"avg","column":"score"},{"function":"count"}]}]'
transform_preview=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"steps":'"$ROWLEVEL"',"preview":true,"preview_limit":100}' "$URL/api/v1/data/datasets/$id/transform")
transform_rows=$(transform '{"steps":'"$ROWLEVEL"',"output_name":"bench net"}')
transform_group=$(transform '{"steps":'"$GROUPED"',"output_name":"bench by category"}')
# Appending a small batch to the 10M-row dataset writes only the batch (a new part), then reading it back.
ROW='{"id":-1,"at":"2024-06-01 12:00:00","category":"category-00","amount":1.5,"quantity":3,"active":true,"note":"alpha beta","score":0.5}'
append_times=()
for i in 1 2 3 4 5; do
  append_times+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' --data-binary "$ROW" "$URL/api/v1/data/datasets/$id/rows")")
done
append_p50=$(printf '%s\n' "${append_times[@]}" | sort -n | sed -n 3p)
append_query=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$SPEC" "$URL/api/v1/data/datasets/$id/query")
# The preview after dropping the plaintext cache: one decryption of the whole version, then the read.
rm -rf "$DATA/cache"
preview_decrypt=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$URL/api/v1/data/datasets/$id/preview?limit=100")
preview_warm=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$URL/api/v1/data/datasets/$id/preview?limit=100")
after_kb=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
kill $pid; wait $pid 2>/dev/null || true; pid=0

read -r direct parquet_bytes encrypt decrypt groupby_ms direct_rows direct_group < <(dotnet bench/data/DuckDbDirect/bin/Release/net10.0/DuckDbDirect.dll "$WORK/bench.csv" "$WORK")
mb() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
echo "$(nproc) cores; $ROWS rows, CSV $(mb "$csv_bytes") MiB, Parquet $(mb "$parquet_bytes") MiB"
echo
echo "| measure | value |"
echo "|---|---|"
echo "| upload over HTTP to a queryable dataset (parse, Parquet, seal, store) | ${upload} s ($(awk -v s="$upload" -v b="$csv_bytes" 'BEGIN { printf "%.0f", b / 1048576 / s }') MiB/s) |"
echo "| DuckDB alone, read_csv -> Parquet | ${direct} s ($(awk -v s="$direct" -v b="$csv_bytes" 'BEGIN { printf "%.0f", b / 1048576 / s }') MiB/s) |"
echo "| upload throughput vs DuckDB alone | $(awk -v u="$upload" -v d="$direct" 'BEGIN { printf "%.0f", 100 * d / u }') % |"
echo "| server peak RSS (VmHWM): after start / after upload / after profile and preview | $((idle_kb / 1024)) / $((peak_kb / 1024)) / $((after_kb / 1024)) MiB |"
echo "| profile, first (computed) / second (cached) | ${profile_cold} s / ${profile_warm} s |"
echo "| preview 100 rows: after cache drop (decrypts the version) / warm | ${preview_decrypt} s / ${preview_warm} s |"
echo "| seal / unseal the Parquet file (AES-256-GCM, 1 MiB records) | ${encrypt} s / ${decrypt} s |"
echo "| group-by on Parquet, DuckDB alone (median of 5) | ${groupby_ms} ms |"
echo "| the same group-by as a query spec over HTTP: first / p50 of 9 uncached (distinct limits) / cached repeat | ${query_cold} s / ${query_p50} s / ${query_cached} s |"
echo "| transform preview (filter + derive, first 100 rows and the row count) | ${transform_preview} s |"
echo "| transform applied as a new dataset, filter + derive (job, sealed and stored) vs DuckDB alone writing the same Parquet | ${transform_rows} s vs ${direct_rows} s |"
echo "| transform applied, filter + group by category (ordered aggregates) vs DuckDB alone | ${transform_group} s vs ${direct_group} s |"
echo "| append one row to the 10M-row dataset (a new part): median of 5 / the group-by query spec over the 6-part version | ${append_p50} s / ${append_query} s |"
