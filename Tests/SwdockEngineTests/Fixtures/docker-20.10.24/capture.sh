#!/bin/sh
# Captures the OCI config.json a private dockerd 20.10 (with containerd 1.6 and runc) writes for
# a set of `docker run` flag combinations. Runs inside its own mount namespace with tmpfs on /run.
# Usage: unshare -m --propagation private sh capture.sh OUTDIR
set -u
OUT=$1
. "$(dirname "$0")/capture-lib.sh"
run default --network none busybox:capture true
run privileged --network none --privileged busybox:capture true
run caps --network none --cap-drop ALL --cap-add NET_ADMIN --cap-add CAP_SYS_TIME busybox:capture true
run capdrop --network none --cap-drop chown --cap-drop CAP_KILL busybox:capture true
run user --network none -u app --group-add 3000 busybox:capture true
run resources --network none --memory 64m --cpus 1.5 --cpu-shares 512 --cpuset-cpus 0 --pids-limit 100 --memory-reservation 32m --oom-score-adj 100 busybox:capture true
run swap --network none --memory 64m --memory-swap 100m --memory-swappiness 10 busybox:capture true
run swapunl --network none --memory 64m --memory-swap -1 busybox:capture true
run quota --network none --cpu-quota 50000 --cpu-period 200000 --pids-limit -1 busybox:capture true
run init --network none --init busybox:capture true
run readonly --network none --read-only --tmpfs /run:size=1m,mode=700 --tmpfs /scratch busybox:capture true
run binds --network none -v /tmp:/mnt/ro:ro -v /tmp:/mnt/rw --mount type=bind,src=/tmp,dst=/mnt/m,readonly,bind-propagation=rshared --mount type=tmpfs,dst=/mnt/t,tmpfs-size=1048576,tmpfs-mode=1770 busybox:capture true
run unconfined --network none --security-opt seccomp=unconfined --security-opt no-new-privileges busybox:capture true
run sysctl --network none --sysctl kernel.shm_rmid_forced=1 --sysctl net.ipv4.ip_forward=1 busybox:capture true
run sysctlhost --network host --sysctl net.ipv4.ip_forward=1 busybox:capture true
run hostnet --network host busybox:capture true
run ulimit --network none --ulimit nofile=1024:2048 --ulimit nproc=100 busybox:capture true
run env --network none -e A=1 -e PATH=/x -w /tmp --hostname h1 --domainname example.com --entrypoint /bin/echo --stop-signal SIGUSR1 -l a=b busybox:capture hi
run shm --network none --shm-size 1g --ipc host --pid host --uts host busybox:capture true
run cgroupns --network none --cgroupns host busybox:capture true
run apparmor --network none --security-opt apparmor=unconfined busybox:capture true
run apparmor2 --network none --security-opt apparmor=foo busybox:capture true
run label --network none --security-opt label=disable busybox:capture true
run nnpfalse --network none --security-opt no-new-privileges=false busybox:capture true
run badsysctl --network none --sysctl net.ipv4.ip_forward=1 busybox:capture true
run badsysctl2 --network none --sysctl vm.swappiness=1 busybox:capture true
run badbind --network none -v rel:/mnt busybox:capture true
run baduser --network none -u nobody busybox:capture true
run badgroup --network none -u app:nogroup busybox:capture true
run uidgid --network none -u 1234:5678 busybox:capture true
run defaultnet busybox:capture true
finish
