#!/bin/bash
# usage: bench.sh LABEL CMD...   10 runs under /usr/bin/time; prints median and min elapsed, median CPU (user+sys), peak RSS
label=$1; shift
t=$(mktemp)
for i in $(seq 10); do
  /usr/bin/time -a -o "$t" -f "%e %M %U %S" "$@" >/dev/null 2>&1
done
med=$(awk '{print $1}' "$t" | sort -n | sed -n 5,6p | awk '{s+=$1} END {printf "%.2f", s/2}')
min=$(awk '{print $1}' "$t" | sort -n | head -1)
cpu=$(awk '{print $3+$4}' "$t" | sort -n | sed -n 5,6p | awk '{s+=$1} END {printf "%.2f", s/2}')
maxrss=$(awk '{print $2}' "$t" | sort -n | tail -1)
rm -f "$t"
printf "%-52s elapsed median %5ss min %5ss | cpu median %5ss | peak RSS %6d KB\n" "$label" "$med" "$min" "$cpu" "$maxrss"
