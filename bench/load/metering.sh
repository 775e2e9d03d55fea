#!/usr/bin/env bash
# What metering every request costs an authenticated GET (issue 15: at most 5 %), in one run: the same Release server
# started with API calls unmetered (Astralytiq:Metering:ApiCalls=false) and metered (the default), and metered with a
# plan limit on API calls (the limit checked on every request), alternating, each measured ROUNDS times with wrk.
#   bash bench/load/metering.sh          # prints a markdown table; needs wrk (apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT="${PORT:-5098}"
DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-5s}"
ROUNDS="${ROUNDS:-3}"
URL="http://127.0.0.1:$PORT"
dotnet build src/Astralytiq.Server -c Release -v q -nologo >/dev/null

run_one() { # label, extra env...
  local label=$1; shift
  local data; data="$(mktemp -d)"
  env ASTRALYTIQ_DATA_DIR="$data" Urls="$URL" ASPNETCORE_ENVIRONMENT=Production \
    Astralytiq__RateLimits__PerIp=1000000000 Astralytiq__RateLimits__PerUser=1000000000 \
    Astralytiq__RateLimits__PerTenant=1000000000 Astralytiq__RateLimits__SensitivePerIp=1000000000 Astralytiq__Plans__free__api_calls_per_minute=1000000000 \
    Logging__LogLevel__Default=Warning "$@" \
    dotnet src/Astralytiq.Server/bin/Release/net10.0/Astralytiq.Server.dll >"$data/server.log" 2>&1 &
  local pid=$!
  until curl -sf "$URL/health/ready" >/dev/null; do sleep 0.05; done
  local token
  token=$(curl -sf -X POST "$URL/api/v1/users/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench-$RANDOM@example.com\",\"password\":\"Quartz-Lantern-Mosaic-71\",\"organization_name\":\"Bench\"}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
  wrk -t2 -c32 -d"$WARMUP" -H "Authorization: Bearer $token" "$URL/api/v1/users/profile" >/dev/null 2>&1 || true
  # The server's own CPU per request (user + system ticks from /proc) is steadier than requests/s, which wrk shares the cores for.
  local before; before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  local out; out=$(wrk -t2 -c32 -d"$DURATION" --latency -H "Authorization: Bearer $token" "$URL/api/v1/users/profile")
  local after; after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$data"
  local requests; requests=$(awk '/requests in/ {print $1}' <<<"$out")
  local cpu_us; cpu_us=$(awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')
  echo "$label $(awk '/Requests\/sec/ {print $2}' <<<"$out") $cpu_us"
}

results=()
for round in $(seq "$ROUNDS"); do
  results+=("$(run_one off Astralytiq__Metering__ApiCalls=false)")
  results+=("$(run_one metered)")
  results+=("$(run_one limited Astralytiq__Plans__free__api_calls=1000000000000)")
done
echo "| metering (GET /api/v1/users/profile, wrk -t2 -c32, $DURATION, $ROUNDS rounds) | requests/s per round | median | vs off | server CPU µs a request, per round | median | vs off |"
echo "|---|---|---|---|---|---|---|"
off_cpu=$(printf '%s\n' "${results[@]}" | awk '$1=="off" {print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
off_median=$(printf '%s\n' "${results[@]}" | awk '$1=="off" {print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
for label in off metered limited; do
  rounds=$(printf '%s\n' "${results[@]}" | awk -v l=$label '$1==l {printf "%s%s", sep, $2; sep=", "}')
  median=$(printf '%s\n' "${results[@]}" | awk -v l=$label '$1==l {print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  cpus=$(printf '%s\n' "${results[@]}" | awk -v l=$label '$1==l {printf "%s%s", sep, $3; sep=", "}')
  cpu=$(printf '%s\n' "${results[@]}" | awk -v l=$label '$1==l {print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "| $label | $rounds | $median | $(awk -v m="$median" -v o="$off_median" 'BEGIN {printf "%+.1f %%", (m / o - 1) * 100}') | $cpus | $cpu | $(awk -v m="$cpu" -v o="$off_cpu" 'BEGIN {printf "%+.1f %%", (m / o - 1) * 100}') |"
done
