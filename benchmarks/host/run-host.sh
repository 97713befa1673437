#!/usr/bin/env bash
# Builds vmabench (the host-kernel side of the benchmarks) with gcc and runs it.
#
# usage: run-host.sh [--build-dir DIR] [vmabench arguments...]
#   --build-dir DIR  where the binary goes (default: benchmarks/target/host, next to
#                    the benchmark module's own build output, so `mvn clean` removes it)
#   everything else goes to vmabench unchanged: --quick, --only OP[,OP], --sizes, --dir, --help
#
# The table goes to stdout, diagnostics to stderr; the exit status is vmabench's.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="$here/../target/host"

if [[ $# -ge 1 && "$1" == "--build-dir" ]]; then
    if [[ $# -lt 2 || -z "$2" ]]; then
        echo "run-host.sh: --build-dir needs a directory" >&2
        exit 2
    fi
    build_dir="$2"
    shift 2
fi

if [[ "$(uname -s)" != "Linux" ]]; then
    echo "run-host.sh: vmabench measures the Linux kernel and runs on Linux only (this is $(uname -s))" >&2
    exit 2
fi

if ! command -v gcc >/dev/null 2>&1; then
    echo "run-host.sh: gcc not found; install it (Debian/Ubuntu: apt-get install -y gcc) and run again" >&2
    exit 2
fi

mkdir -p "$build_dir"
src="$here/vmabench.c"
bin="$build_dir/vmabench"

# Rebuild only when the source is newer, so repeated runs start at once. No -Werror
# here: a newer gcc's new warning must not break the benchmark run; the source is
# kept clean under -Wall -Wextra -Wpedantic -Werror separately.
if [[ ! -x "$bin" || "$src" -nt "$bin" ]]; then
    gcc -std=c11 -O2 -Wall -Wextra -o "$bin.tmp" "$src"
    mv -f "$bin.tmp" "$bin"
fi

exec "$bin" "$@"
