#!/bin/sh
# Captures the OCI config.json a private dockerd 20.10 (with containerd 1.6 and runc) writes for
# a set of `docker run` flag combinations. Runs inside its own mount namespace with tmpfs on /run.
# Usage: unshare -m --propagation private sh capture.sh OUTDIR
set -u
OUT=$1
. "$(dirname "$0")/capture-lib.sh"
tar -C "$D/rootfs" -c . | $DK import --change 'ENTRYPOINT ["/bin/sh","-c"]' --change 'CMD ["echo hi"]' --change 'ENV FOO=bar PATH=/usr/bin:/bin' --change 'WORKDIR /w' --change 'USER app' --change 'EXPOSE 80/tcp' --change 'LABEL x=y' - ep:capture >/dev/null
echo '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","includes":{"caps":["CAP_SYS_ADMIN"]}},{"names":["chmod"],"action":"SCMP_ACT_ERRNO"}]}' > "$D/seccomp.json"
run binds2 --network none -v /tmp/spec-capture-src:/mnt/ro:ro -v /tmp/spec-capture-src:/mnt/rw -v /tmp/spec-capture-src:/mnt/z:z -v /tmp/spec-capture-src/:/mnt/trail/ --mount type=bind,src=/tmp/spec-capture-src,dst=/mnt/m,readonly --mount type=bind,src=/tmp/spec-capture-src,dst=/mnt/p,bind-propagation=rprivate --mount type=tmpfs,dst=/mnt/t,tmpfs-size=1048576,tmpfs-mode=1770 --tmpfs /mnt/t2:ro,size=2m busybox:capture true
run image --network none ep:capture
run imagecmd --network none ep:capture ls
run imageep --network none --entrypoint "" ep:capture /bin/true
run imageenv --network none -e FOO=baz -e NEW=1 -u 0 ep:capture












finish
