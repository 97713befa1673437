#!/usr/bin/env bash
# vfsgi against the host kernel, in one go: builds what it needs (the benchmark jar with Maven,
# vmabench with gcc), runs benchmarks/host/run-host.sh and the JMH benchmarks, and prints one
# table: operation, vfsgi time, host-kernel time, the ratio, heap per VMA, and the targets of
# issue 7. The table is also written to benchmarks/target/results/table.md, next to the raw
# figures (host.tsv, host.err, jmh.json, jmh.log).
#
# usage: benchmarks/run.sh [--quick] [--no-build] [--sizes N[,N...]] [--include REGEX]
#   --quick       smoke run: seconds, small sizes, one short iteration; judges nothing
#   --no-build    use the benchmarks.jar already built
#   --sizes       numbers of VMAs for the sized rows (default 1000,10000,100000,1000000;
#                 --quick: 1000); vmabench skips sizes above the host's vm.max_map_count
#   --include     JMH regex selecting vfsgi benchmarks (default: all)
# Maven runs offline when MAVEN_OFFLINE=1 (e.g. a warm cache without network).
#
# Exit status: 0 the run completed (whatever the figures), 1 a benchmark failed, 2 bad usage,
# 5 the build failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/target/results"
quick=0 build=1 sizes="" include=""

while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) quick=1 ;;
        --no-build) build=0 ;;
        --sizes) [[ $# -ge 2 ]] || { echo "run.sh: --sizes needs a list" >&2; exit 2; }; sizes="$2"; shift ;;
        --include) [[ $# -ge 2 ]] || { echo "run.sh: --include needs a regex" >&2; exit 2; }; include="$2"; shift ;;
        -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

jar="$here/target/benchmarks.jar"
if [[ $build -eq 1 ]]; then
    mvn_args=(-B -q -pl benchmarks -am package -DskipTests)
    [[ "${MAVEN_OFFLINE:-0}" == 1 ]] && mvn_args=(-o "${mvn_args[@]}")
    echo "run.sh: building benchmarks.jar (mvn ${mvn_args[*]})" >&2
    (cd "$root" && mvn "${mvn_args[@]}") >&2 || { echo "run.sh: the Maven build failed" >&2; exit 5; }
fi
[[ -f "$jar" ]] || { echo "run.sh: $jar is missing; run without --no-build" >&2; exit 5; }

mkdir -p "$out"
host_args=()
compare_args=(--host "$out/host.tsv" --out "$out")
[[ $quick -eq 1 ]] && host_args+=(--quick) && compare_args+=(--quick)
[[ -n "$sizes" ]] && host_args+=(--sizes "$sizes") && compare_args+=(--sizes "$sizes")
[[ -n "$include" ]] && compare_args+=(--include "$include")
if [[ $quick -eq 1 && -z "$sizes" ]]; then
    host_args+=(--sizes 1000)
fi

# The host side first, while the machine is quiet of our own JVMs.
echo "run.sh: host kernel (benchmarks/host/run-host.sh ${host_args[*]})" >&2
"$here/host/run-host.sh" "${host_args[@]}" >"$out/host.tsv" 2>"$out/host.err" || {
    echo "run.sh: vmabench failed:" >&2; cat "$out/host.err" >&2; exit 1; }

echo "run.sh: vfsgi (JMH)" >&2
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$java_bin" -cp "$jar" org.vfsgi.bench.Compare "${compare_args[@]}"
