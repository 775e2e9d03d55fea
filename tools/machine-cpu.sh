#!/usr/bin/env bash
# The whole machine's busy CPU seconds (all processes: the runner, Chromium, child servers, PostgreSQL) while a command
# runs, and its wall time; the command's output goes to /tmp/machine-cpu.out.
#   cd tests/Astralytiq.Tests/bin/Debug/net10.0 && bash ../../../../../tools/machine-cpu.sh ./Astralytiq.Tests -class X
read -r _ u n s _ _ q sq _ _ < /proc/stat; b0=$((u + n + s + q + sq)); t0=$(date +%s.%N)
"$@" > /tmp/machine-cpu.out 2>&1
status=$?
read -r _ u n s _ _ q sq _ _ < /proc/stat; b1=$((u + n + s + q + sq)); t1=$(date +%s.%N)
echo "busy $(echo "($b1 - $b0) / 100" | bc -l | cut -c1-7) CPU-s, wall $(echo "$t1 - $t0" | bc -l | cut -c1-7) s, exit $status"
exit $status
