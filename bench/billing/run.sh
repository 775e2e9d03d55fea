#!/usr/bin/env bash
# What metering costs a request, two ways (issue 15: at most 5 % of authenticated GET throughput):
#   1. in process, BenchmarkDotNet: the plan lookup, the hot meter's count and its limit check (ns, allocations);
#   2. over HTTP, bench/load/metering.sh: the same server unmetered, metered, and metered with a limit (wrk, alternating).
#   bash bench/billing/run.sh            # JOB=short by default; ROUNDS/DURATION pass through to the load script
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet run -c Release --project bench/billing/MeterBench -- --job "${JOB:-short}" --filter '*' 2>&1 | grep -E '^\|'
if command -v wrk >/dev/null; then
  bash bench/load/metering.sh
else
  echo "wrk is not installed (apt-get install wrk): the HTTP comparison is skipped" >&2
fi
