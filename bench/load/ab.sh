# Shared by the A/B load scripts (telemetry.sh, metering.sh); sourced, not run. Each configuration is the same Release
# server started with other settings, a fresh data directory and tenant, measured with wrk on GET /api/v1/users/profile;
# configurations alternate round by round so drift of the machine falls on all of them alike.
PORT="${PORT:-5098}"
DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-5s}"
ROUNDS="${ROUNDS:-3}"
URL="http://127.0.0.1:$PORT"

ab_build() { dotnet build src/Astralytiq.Server -c Release -v q -nologo >/dev/null; }

# ab_run LABEL [SETTING=VALUE ...]: prints "LABEL requests/s server-CPU-µs-a-request".
ab_run() {
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
  # The server's own CPU per request (user + system ticks from /proc) next to requests/s, which wrk shares the cores for.
  local before; before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  local out; out=$(wrk -t2 -c32 -d"$DURATION" -H "Authorization: Bearer $token" "$URL/api/v1/users/profile")
  local after; after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill $pid; wait $pid 2>/dev/null || true
  rm -rf "$data"
  local requests; requests=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "$label $(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')"
}

ab_median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# ab_table TITLE LABEL... (reads the rounds from the array "results"): a markdown table of the rounds and medians, the first label the baseline.
ab_table() {
  local title=$1; shift
  local base=$1
  local base_rps; base_rps=$(printf '%s\n' "${results[@]}" | awk -v l="$base" '$1==l {print $2}' | ab_median)
  local base_cpu; base_cpu=$(printf '%s\n' "${results[@]}" | awk -v l="$base" '$1==l {print $3}' | ab_median)
  echo "| $title (GET /api/v1/users/profile, wrk -t2 -c32, $DURATION, $ROUNDS rounds) | requests/s per round | median | vs $base | server CPU µs a request, per round | median | vs $base |"
  echo "|---|---|---|---|---|---|---|"
  for label in "$@"; do
    local rounds cpus rps cpu
    rounds=$(printf '%s\n' "${results[@]}" | awk -v l="$label" '$1==l {printf "%s%s", sep, $2; sep=", "}')
    cpus=$(printf '%s\n' "${results[@]}" | awk -v l="$label" '$1==l {printf "%s%s", sep, $3; sep=", "}')
    rps=$(printf '%s\n' "${results[@]}" | awk -v l="$label" '$1==l {print $2}' | ab_median)
    cpu=$(printf '%s\n' "${results[@]}" | awk -v l="$label" '$1==l {print $3}' | ab_median)
    echo "| $label | $rounds | $rps | $(awk -v m="$rps" -v o="$base_rps" 'BEGIN {printf "%+.1f %%", (m / o - 1) * 100}') | $cpus | $cpu | $(awk -v m="$cpu" -v o="$base_cpu" 'BEGIN {printf "%+.1f %%", (m / o - 1) * 100}') |"
  done
}
