#!/bin/bash
# Removes the /tmp/TemporaryDirectory.* that the Swift driver leaves behind (six per `swift
# build` here), holding nothing but an empty `.keep-directory`, made after the file MARKER.
#   Tests/Harness/remove-swiftpm-temp-dirs.sh MARKER
# A directory holding anything else, or older than MARKER, is left alone.
set -euo pipefail
marker=$1
find /tmp -maxdepth 1 -type d -name 'TemporaryDirectory.*' -newer "$marker" -print0 |
while IFS= read -r -d '' dir; do
    others=$(find "$dir" -mindepth 1 ! -name .keep-directory -print -quit)
    if [ -z "$others" ] && [ ! -s "$dir/.keep-directory" ]; then
        rm -f -- "$dir/.keep-directory"
        rmdir -- "$dir"
    fi
done
