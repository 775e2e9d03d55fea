#!/usr/bin/env bash
# Dashboard benchmarks (see docs/performance.md):
#   ROWS=10000000 bash bench/dashboards/run.sh              all three
#   ONLY=widget|render|live ROWS=... bash bench/dashboards/run.sh   one of them
# render: a 12-widget dashboard over the same data opened in Debian's Chromium (DashBench), RENDER_RUNS rounds;
# live: CLIENTS hub connections (500) on a dashboard over LIVE_ROWS rows, ROUNDS changes, write-to-receipt latency.
# The server's log is left in /tmp/dashbench-server.log.
# TRACE=1 prints, for the in-app render, when each response arrived after the click.
# Uploads the data benchmark's CSV (bench/data/gen.py) to a Release server, makes a dashboard with a
# group-by widget (sum and count of amount by category and month), then measures GET widget data:
# cold = the first request for a new dataset version (an append of one row before each), and cached =
# the same request again; p50/p99 over RUNS rounds, and cached throughput with wrk.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS="${ROWS:-1000000}"
RUNS="${RUNS:-30}"
PORT="${PORT:-5096}"
URL="http://127.0.0.1:$PORT"
WORK="$(mktemp -d)"
pid=0
trap '[ "$pid" -gt 0 ] && kill $pid 2>/dev/null; cp "$WORK/server.log" /tmp/dashbench-server.log 2>/dev/null; rm -rf "$WORK"' EXIT

ONLY="${ONLY:-}"
/usr/bin/python3 bench/data/gen.py "$ROWS" "$WORK/bench.csv"
# Published as for production: the client trimmed and precompressed, as browsers get it from a real deployment.
dotnet publish src/Astralytiq.Server -c Release -o "$WORK/server" -v q -nologo >/dev/null
dotnet build bench/dashboards/DashBench -c Release -v q -nologo >/dev/null
DASHBENCH="dotnet bench/dashboards/DashBench/bin/Release/net10.0/DashBench.dll"
export ASTRALYTIQ_DATA_DIR="$WORK/data" Urls="$URL" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  Astralytiq__RateLimits__PerIp=1000000000 Astralytiq__RateLimits__PerUser=1000000000 \
  Astralytiq__RateLimits__PerTenant=1000000000 Astralytiq__RateLimits__SensitivePerIp=1000000000
(cd "$WORK/server" && exec dotnet Astralytiq.Server.dll) >"$WORK/server.log" 2>&1 &
pid=$!
until curl -sf "$URL/health/ready" >/dev/null; do sleep 0.1; done
if [ -z "$ONLY" ] || [ "$ONLY" = render ]; then
  echo "== render: 12 widgets over $ROWS rows in Chromium"
  $DASHBENCH render "$URL" "$WORK/bench.csv" "${RENDER_RUNS:-15}"
fi
if [ -z "$ONLY" ] || [ "$ONLY" = live ]; then
  echo "== live: ${CLIENTS:-500} hub clients"
  $DASHBENCH live "$URL" "${CLIENTS:-500}" "${ROUNDS:-20}" "${LIVE_ROWS:-100000}"
fi
[ -z "$ONLY" ] || [ "$ONLY" = widget ] || exit 0
echo "== widget data endpoint"
TOKEN=$(curl -sf -X POST "$URL/api/v1/users/register" -H 'Content-Type: application/json' \
  -d '{"email":"dash@example.com","password":"Quartz-Lantern-Mosaic-71","organization_name":"Bench"}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
AUTH="Authorization: Bearer $TOKEN"
status=$(curl -s -o "$WORK/upload.json" -w '%{http_code}' -H "$AUTH" -F "file=@$WORK/bench.csv;type=text/csv" -F "name=bench" "$URL/api/v1/data/datasets")
if [ "$status" = 202 ]; then
  job=$(sed -E 's/.*"job_id":"([^"]+)".*/\1/' "$WORK/upload.json")
  until curl -sf -H "$AUTH" "$URL/api/v1/jobs/$job" > "$WORK/job.json" && grep -q '"status":"succeeded"' "$WORK/job.json"; do sleep 0.2; done
  dataset=$(sed -E 's/.*\\"id\\":\\"([0-9a-f-]{36})\\".*/\1/' "$WORK/job.json")
else
  dataset=$(sed -E 's/^\{"id":"([^"]+)".*/\1/' "$WORK/upload.json")
fi
dashboard=$(curl -sf -H "$AUTH" -H 'Content-Type: application/json' -X POST "$URL/api/v1/dashboards" -d "{\"name\":\"bench\",\"definition\":{\"widgets\":[{\"id\":\"g\",\"type\":\"bar\",\"position\":{\"x\":0,\"y\":0,\"w\":12,\"h\":4},\"source\":{\"dataset_id\":\"$dataset\",\"query\":{\"dimensions\":[{\"column\":\"category\"},{\"column\":\"at\",\"bucket\":\"month\"}],\"measures\":[{\"aggregation\":\"sum\",\"column\":\"amount\"},{\"aggregation\":\"count\"}]}}}]}}" | sed -E 's/^\{"id":"([^"]+)".*/\1/')
WIDGET="$URL/api/v1/dashboards/$dashboard/widgets/g/data"
cold=(); cached=()
for i in $(seq 1 "$RUNS"); do
  curl -sf -o /dev/null -H "$AUTH" -H 'Content-Type: application/json' -X POST "$URL/api/v1/data/datasets/$dataset/rows" \
    -d "[{\"id\":$((ROWS + i)),\"at\":\"2024-05-01 10:00:00\",\"category\":\"category-01\",\"amount\":1.5,\"quantity\":1,\"active\":true,\"note\":\"x\",\"score\":0.5}]"
  cold+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "$AUTH" "$WIDGET")")
  cached+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "$AUTH" "$WIDGET")")
done
pct() { printf '%s\n' "${@:2}" | sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int((NR-1)*p/100)+1; printf "%.1f ms", a[i]*1000}'; }
echo "rows=$ROWS runs=$RUNS"
echo "cold (new version) p50 $(pct 50 "${cold[@]}")  p99 $(pct 99 "${cold[@]}")"
echo "cached            p50 $(pct 50 "${cached[@]}")  p99 $(pct 99 "${cached[@]}")"
cat > "$WORK/widget.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
wrk -t 2 -c 16 -d "${DURATION:-10s}" --latency -s "$WORK/widget.lua" "$WIDGET" | grep -E "50%|99%|Requests/sec" || true
