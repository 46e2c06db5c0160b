#!/usr/bin/env python3
"""Benchmark: swdock-runtime against runc and crun, running /bin/true in a busybox bundle, cgroups on.

usage: bench/runtime/run-bench.py [--swdock-runtime PATH] [--runs N] [--warmup N] [--json FILE]

Build first: `swift build -c release --product swdock-runtime`; the default PATH is that
build's .build/release/swdock-runtime (pass --swdock-runtime none for the peers only).

For each runtime (runc and crun from Debian, swdock-runtime):
  run     `R run --bundle B ID`                (fork → waitpid of the runtime process)
  create  `R create --bundle B ID`             (stdio /dev/null)
  start   `R start ID`                         (then, untimed, `state` until stopped)
  delete  `R delete ID`
  RSS     peak RSS of `R run` as GNU time reports it (%M, from wait4's ru_maxrss: the largest
          of the runtime process and the children it waited for, e.g. runc init), in MiB.
          Measured in separate, untimed runs under /usr/bin/time, because a child forked
          from Python carries Python's RSS into ru_maxrss (exec folds the old mm's high-water
          mark in). /usr/bin/time's own floor (`time busybox true`) is printed beside it.
Method (shared/research/peer-baseline.md): fork/exec each command directly (no shell), time
from fork to waitpid, warm-up rounds first, the runtimes ALTERNATE run by run (the order
rotates each round), median with min–max of N ≥ 30 timed runs each; ratios are only
meaningful within one invocation.

The bundle: busybox-static rootfs, config as `runc spec` writes it (terminal false, args
["/bin/true"]) plus `linux.cgroupsPath` = /swdock-bench-<runtime> and a pids limit, so
every runtime creates and removes cgroups on each run (v1 hierarchies here).

crun 1.8 refuses this machine's hybrid cgroup layout, so crun (only crun) runs in a private
mount namespace without /sys/fs/cgroup/unified: one namespace made once (held by a sleep
process) and entered with setns() in the forked child just before execve — the cost is a
single syscall, inside crun's timing. (A wrapper such as `unshare -m sh -c 'umount …; exec
crun'` per run would add a few ms of its own to crun's numbers.) runc and swdock-runtime run in
the host namespace, as they must.
"""
import argparse
import ctypes
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

CLONE_NEWNS = 0x00020000
LIBC = ctypes.CDLL("libc.so.6", use_errno=True)
BUSYBOX = "/bin/busybox"
TIME = "/usr/bin/time"


def find(name):
    for d in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    return None


def make_bundle(root, cgroups_path):
    """A bundle directory at `root` with a busybox rootfs and a runc-spec-like config."""
    rootfs = os.path.join(root, "rootfs")
    if not os.path.exists(rootfs):
        for d in ("bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "tmp", "root"):
            os.makedirs(os.path.join(rootfs, d), exist_ok=True)
        shutil.copy2(BUSYBOX, os.path.join(rootfs, "bin/busybox"))
        applets = subprocess.run([BUSYBOX, "--list-full"], check=True, capture_output=True, text=True).stdout.split()
        for applet in applets:
            link = os.path.join(rootfs, applet)
            if not os.path.lexists(link):
                os.symlink("/bin/busybox", link)
    caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    config = {
        "ociVersion": "1.0.2-dev",
        "process": {
            "terminal": False, "user": {"uid": 0, "gid": 0}, "args": ["/bin/true"],
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
            "cwd": "/",
            "capabilities": {k: caps for k in ("bounding", "effective", "permitted", "ambient")},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
            "noNewPrivileges": True,
        },
        "root": {"path": "rootfs", "readonly": True},
        "hostname": "runc",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
            {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
             "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
            {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
             "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
        ],
        "linux": {
            "cgroupsPath": cgroups_path,
            "resources": {"devices": [{"allow": False, "access": "rwm"}], "pids": {"limit": 1024}},
            "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
            "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
            "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
        },
    }
    with open(os.path.join(root, "config.json"), "w") as f:
        json.dump(config, f, indent=1)


class PrivateCgroupNamespaceForCrun:
    """A mount namespace without /sys/fs/cgroup/unified, held by a sleep process."""

    def __init__(self, workdir):
        ready = os.path.join(workdir, "mountns.ready")
        self.proc = subprocess.Popen(
            ["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
             f"umount /sys/fs/cgroup/unified && touch '{ready}' && exec sleep 2147483647"],
            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not os.path.exists(ready):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("could not make crun's private mount namespace")
            time.sleep(0.01)
        self.fd = os.open(f"/proc/{self.proc.pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)

    def close(self):
        os.close(self.fd)
        self.proc.kill()
        self.proc.wait()


def hybrid_layout():
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == "/sys/fs/cgroup/unified" for line in f)


class Runtime:
    def __init__(self, name, binary, workdir, mountns_fd=None):
        self.name = name
        self.binary = binary
        self.mountns_fd = mountns_fd
        self.state_root = os.path.join(workdir, f"state-{name}")
        self.bundle = os.path.join(workdir, f"bundle-{name}")
        self.cgroups_path = f"/swdock-bench-{name}"
        os.makedirs(self.bundle, exist_ok=True)
        make_bundle(self.bundle, self.cgroups_path)
        self.samples = {"run": [], "create": [], "start": [], "delete": [], "rss_kib": []}

    def spawn(self, args, launcher=()):
        """fork → (setns) → execve → wait4: returns (exit status, nanoseconds, rusage)."""
        argv = list(launcher) + [self.binary, "--root", self.state_root] + args
        devnull = os.open(os.devnull, os.O_RDWR)
        t0 = time.perf_counter_ns()
        pid = os.fork()
        if pid == 0:
            try:
                os.dup2(devnull, 0)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                if self.mountns_fd is not None and LIBC.setns(self.mountns_fd, CLONE_NEWNS) != 0:
                    os._exit(126)
                os.execv(argv[0], argv)
            finally:
                os._exit(127)
        _, status, rusage = os.wait4(pid, 0)
        elapsed = time.perf_counter_ns() - t0
        os.close(devnull)
        return os.waitstatus_to_exitcode(status), elapsed, rusage

    def check(self, args, what):
        code, ns, rusage = self.spawn(args)
        if code != 0:
            # Re-run with output visible, to say why.
            out = self.aux(args)
            raise SystemExit(f"{self.name} {what} exited {code}: {out.stderr.strip() or out.stdout.strip()}")
        return ns, rusage

    def peak_rss_kib(self, cid):
        out = os.path.join(os.path.dirname(self.state_root), f"rss-{self.name}")
        code, _, _ = self.spawn(["run", "--bundle", self.bundle, cid], launcher=(TIME, "-f", "%M", "-o", out))
        if code != 0:
            raise SystemExit(f"{self.name} run under {TIME} exited {code}")
        with open(out) as f:
            return int(f.read().split()[-1])

    def aux(self, args):
        """An untimed runtime command, output captured (in crun's namespace for crun)."""
        return subprocess.run(self.debug_argv(args), capture_output=True, text=True,
                              pass_fds=(self.mountns_fd,) if self.mountns_fd is not None else ())

    def debug_argv(self, args):
        argv = [self.binary, "--root", self.state_root] + args
        if self.mountns_fd is not None:
            return ["/usr/bin/nsenter", f"--mount=/proc/self/fd/{self.mountns_fd}", "--"] + argv
        return argv

    def wait_stopped(self, cid):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            out = self.aux(["state", cid])
            if out.returncode == 0 and json.loads(out.stdout).get("status") == "stopped":
                return
            time.sleep(0.002)
        raise SystemExit(f"{self.name}: container {cid} did not stop")

    def one_round(self, i, record):
        cid = f"bench-{self.name}-{os.getpid()}-{i}"
        ns, _ = self.check(["run", "--bundle", self.bundle, cid + "-r"], "run")
        if record:
            self.samples["run"].append(ns)
            self.samples["rss_kib"].append(self.peak_rss_kib(cid + "-m"))
        ns_create, _ = self.check(["create", "--bundle", self.bundle, cid], "create")
        ns_start, _ = self.check(["start", cid], "start")
        self.wait_stopped(cid)
        ns_delete, _ = self.check(["delete", cid], "delete")
        if record:
            self.samples["create"].append(ns_create)
            self.samples["start"].append(ns_start)
            self.samples["delete"].append(ns_delete)

    def cleanup(self):
        if os.path.isdir(self.state_root):
            for cid in os.listdir(self.state_root):
                self.aux(["delete", "--force", cid])
        for controller in os.listdir("/sys/fs/cgroup"):
            d = f"/sys/fs/cgroup/{controller}{self.cgroups_path}"
            if os.path.isdir(d):
                try:
                    os.rmdir(d)
                except OSError:
                    pass


def ms(ns_list):
    return [n / 1e6 for n in ns_list]


def summary(values):
    return statistics.median(values), min(values), max(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_swdock = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   "../../.build/release/swdock-runtime"))
    parser.add_argument("--swdock-runtime", default=default_swdock if os.access(default_swdock, os.X_OK) else None,
                        help="path of swdock-runtime to compare (default: the release build; 'none': peers only)")
    parser.add_argument("--runc", default=find("runc"))
    parser.add_argument("--crun", default=find("crun"))
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--json", help="also write the raw samples here")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root")
    if args.runs < 30:
        print(f"note: {args.runs} runs (< 30): for a quick look only", file=sys.stderr)

    workdir = tempfile.mkdtemp(prefix="swdock-bench-")
    os.chmod(workdir, 0o755)
    mountns = None
    runtimes = []
    try:
        if args.runc:
            runtimes.append(Runtime("runc", args.runc, workdir))
        if args.crun:
            fd = None
            if hybrid_layout():
                mountns = PrivateCgroupNamespaceForCrun(workdir)
                fd = mountns.fd
            runtimes.append(Runtime("crun", args.crun, workdir, fd))
        if args.swdock_runtime and args.swdock_runtime != "none":
            if not os.access(args.swdock_runtime, os.X_OK):
                raise SystemExit(f"--swdock-runtime {args.swdock_runtime}: not an executable")
            runtimes.append(Runtime("swdock-runtime", args.swdock_runtime, workdir))
        if not runtimes:
            raise SystemExit("no runtime to measure")

        total = args.warmup + args.runs
        for i in range(total):
            order = runtimes[i % len(runtimes):] + runtimes[:i % len(runtimes)]
            for rt in order:
                rt.one_round(i, record=i >= args.warmup)
        report(runtimes, args)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({rt.name: rt.samples for rt in runtimes}, f)
    finally:
        for rt in runtimes:
            rt.cleanup()
        if mountns:
            mountns.close()
        shutil.rmtree(workdir, ignore_errors=True)


def time_floor_kib():
    """/usr/bin/time's own contribution to %M: the peak RSS it reports for busybox true."""
    values = []
    for _ in range(5):
        out = subprocess.run([TIME, "-f", "%M", BUSYBOX, "true"], capture_output=True, text=True)
        values.append(int(out.stderr.split()[-1]))
    return statistics.median(values)


def report(runtimes, args):
    load = open("/proc/loadavg").read().split()[:3]
    print(f"# OCI runtime benchmark: /bin/true, busybox bundle, cgroups v1 on "
          f"({args.runs} timed runs each after {args.warmup} warm-up rounds, alternating; load {' '.join(load)})")
    for rt in runtimes:
        out = subprocess.run([rt.binary, "--version"], capture_output=True, text=True).stdout.splitlines()
        print(f"#   {rt.name}: {rt.binary} ({out[0] if out else '?'})")
    print()
    print("| runtime | run ms median (min–max) | create | start | delete | peak RSS MiB (run) |")
    print("|---|---:|---:|---:|---:|---:|")
    for rt in runtimes:
        cells = []
        for key in ("run", "create", "start", "delete"):
            med, lo, hi = summary(ms(rt.samples[key]))
            cells.append(f"{med:.1f} ({lo:.1f}–{hi:.1f})")
        rss = [k / 1024 for k in rt.samples["rss_kib"]]
        med, lo, hi = summary(rss)
        print(f"| {rt.name} | " + " | ".join(cells) + f" | {med:.1f} ({lo:.1f}–{hi:.1f}) |")
    print(f"\n(peak RSS floor of the method: `{TIME} -f %M busybox true` = {time_floor_kib() / 1024:.1f} MiB)")
    print()
    medians = {rt.name: statistics.median(rt.samples["run"]) for rt in runtimes}
    names = [rt.name for rt in runtimes]
    print("| ratio of `run` medians | " + " | ".join(f"÷ {n}" for n in names) + " |")
    print("|---|" + "---:|" * len(names))
    for a in names:
        print(f"| {a} | " + " | ".join(f"{medians[a] / medians[b]:.2f}×" for b in names) + " |")


if __name__ == "__main__":
    main()
