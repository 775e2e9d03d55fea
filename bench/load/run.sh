#!/usr/bin/env bash
# Load measurements of the foundation against a Release build on loopback (see docs/performance.md).
#   bash bench/load/run.sh            # prints a markdown table
# Needs wrk (apt-get install wrk). Rate limits are lifted for the run so they do not cap throughput.
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${PORT:-5099}"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-5s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
DATA="$(mktemp -d)"
URL="http://127.0.0.1:$PORT"

dotnet build src/Astralytiq.Server -c Release -v q -nologo >/dev/null
export ASTRALYTIQ_DATA_DIR="$DATA" Urls="$URL" ASPNETCORE_ENVIRONMENT=Production \
  Astralytiq__RateLimits__PerIp=1000000000 Astralytiq__RateLimits__PerUser=1000000000 \
  Astralytiq__RateLimits__PerTenant=1000000000 Astralytiq__RateLimits__SensitivePerIp=1000000000 \
  Logging__LogLevel__Default=Warning
start=$(date +%s%N)
dotnet src/Astralytiq.Server/bin/Release/net10.0/Astralytiq.Server.dll >"$DATA/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$DATA"' EXIT
until curl -sf "$URL/health/ready" >/dev/null; do sleep 0.05; done
ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))

export BENCH_EMAIL="bench-$RANDOM@example.com" BENCH_PASSWORD="Quartz-Lantern-Mosaic-71"
TOKEN=$(curl -sf -X POST "$URL/api/v1/users/register" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\",\"organization_name\":\"Bench\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
sleep 2
idle_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)

measure() { # label, wrk args...; a short unmeasured warm-up first, so JIT tiering does not count
  local label=$1; shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$@" >/dev/null 2>&1 || true
  local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "| $label | ${rps} | ${p50} | ${p99} | ${non2xx:-0} |"
}

curl -sf "$URL/api/v1/users/profile" -H "Authorization: Bearer $TOKEN" >/dev/null
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk -t$THREADS on the same machine; $(dotnet --version) SDK, Release build"
echo "Server ready after ${ready_ms} ms (process start to /health/ready 200); idle RSS $((idle_kb / 1024)) MiB"
echo
echo "| endpoint ($CONNECTIONS connections, $DURATION) | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
measure "GET /health/live (bare)" "$URL/health/live"
measure "GET /api/v1/users/profile (JWT, session check, tenant-scoped)" -H "Authorization: Bearer $TOKEN" "$URL/api/v1/users/profile"
measure "GET /api/v1/tenants/current (JWT, tenant-scoped)" -H "Authorization: Bearer $TOKEN" "$URL/api/v1/tenants/current"
measure "GET /api/v1/users/profile without a token (401 envelope)" "$URL/api/v1/users/profile"
measure "POST /api/v1/users/login (PBKDF2-SHA512 210k, audited)" -c8 -s bench/load/login.lua "$URL/api/v1/users/login" 2>/dev/null || true
busy_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
echo
echo "RSS after the runs: $((busy_kb / 1024)) MiB"
