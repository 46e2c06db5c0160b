#!/bin/sh
# Captures the OCI config.json a private dockerd 20.10 (with containerd 1.6 and runc) writes for
# a set of `docker run` flag combinations. Runs inside its own mount namespace with tmpfs on /run.
# Usage: unshare -m --propagation private sh capture.sh OUTDIR
set -u
OUT=$1
. "$(dirname "$0")/capture-lib.sh"
printf 'nameserver 127.0.0.53\nnameserver ::1\nnameserver fe80::1\nsearch example.com\noptions ndots:2 edns0\n' > "$D/fake-resolv.conf"
mount --bind "$D/fake-resolv.conf" /etc/resolv.conf
show() { name=$1; shift; $DK run --rm --pull never "$@" busybox:capture sh -c 'for f in /etc/resolv.conf /etc/hosts /etc/hostname; do echo "--- $f"; cat $f; done' > "$OUT/$name.files" 2>&1; }
show filesnone --network none
show fileshost --network host
show fileshostname --network none --hostname h1 --domainname example.com
show filesaddhost --network none --add-host db:10.0.0.5 --dns-search foo.com
show filesdns --network none --dns 1.1.1.1 --dns-option ndots:3
finish
