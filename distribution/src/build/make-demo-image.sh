#!/usr/bin/env bash
# Builds the demo's ext4 image from a folder with e2fsprogs' mke2fs -d, so the demo mounts a real
# image made by the real tool (never one vfsgi wrote itself).
# usage: make-demo-image.sh SOURCE_DIR IMAGE SIZE
set -euo pipefail
src=$1 img=$2 size=$3
PATH=$PATH:/sbin:/usr/sbin
if ! command -v mke2fs >/dev/null 2>&1; then
    echo "distribution: mke2fs not found: the demo's ext4 image needs e2fsprogs (Debian: apt-get install e2fsprogs; .ci/run installs it)" >&2
    exit 1
fi
mkdir -p "$(dirname "$img")"
rm -f "$img"
# -E root_owner: the files belong to root whoever builds; -L names the volume as the demo shows it.
mke2fs -q -F -t ext4 -L vfsgi-demo -E root_owner=0:0 -d "$src" "$img" "$size"
