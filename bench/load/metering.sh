#!/usr/bin/env bash
# What metering every request costs an authenticated GET (issue 15: at most 5 %), in one run: the same Release server
# started with API calls unmetered (Astralytiq:Metering:ApiCalls=false) and metered (the default), and metered with a
# plan limit on API calls (the limit checked on every request), alternating, each measured ROUNDS times with wrk.
#   bash bench/load/metering.sh          # prints a markdown table; needs wrk (apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/load/ab.sh
ab_build
results=()
for round in $(seq "$ROUNDS"); do
  results+=("$(ab_run off Astralytiq__Metering__ApiCalls=false)")
  results+=("$(ab_run metered)")
  results+=("$(ab_run limited Astralytiq__Plans__free__api_calls=1000000000000)")
done
ab_table metering off metered limited
