#!/usr/bin/env python3
"""Median latency of `RUNTIME run` of /bin/true on a busybox bundle, swdock-runtime against
runc and crun, alternating run by run (the method of shared/research/peer-baseline.md).

Usage: bench/runtime/run_latency.py [--runs N] [--swdock PATH]
Needs root. crun runs in a private mount namespace without /sys/fs/cgroup/unified (its
hybrid-mode workaround); runc and swdock-runtime run directly. cgroups are on for all three
(each run gets its own cgroupsPath). Prints medians (min-max) and ratios to crun.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

def make_bundle(root):
    rootfs = os.path.join(root, "rootfs")
    os.makedirs(os.path.join(rootfs, "bin"))
    shutil.copy("/bin/busybox", os.path.join(rootfs, "bin", "busybox"))
    subprocess.run(["chroot", rootfs, "/bin/busybox", "--install", "-s", "/bin"], check=True)
    subprocess.run(["runc", "spec"], cwd=root, check=True)
    with open(os.path.join(root, "config.json")) as f:
        spec = json.load(f)
    spec["process"]["terminal"] = False
    spec["process"]["args"] = ["/bin/true"]
    with open(os.path.join(root, "config.json"), "w") as f:
        json.dump(spec, f)
    return spec

def set_cgroup(root, spec, path):
    spec["linux"]["cgroupsPath"] = path
    with open(os.path.join(root, "config.json"), "w") as f:
        json.dump(spec, f)

def timed(argv, cwd):
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.chdir(cwd)
        fd = os.open("/dev/null", os.O_RDWR)
        os.dup2(fd, 0); os.dup2(fd, 1)
        os.execvp(argv[0], argv)
    _, status = os.waitpid(pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    if status != 0:
        raise SystemExit(f"{argv} failed: {status}")
    return elapsed

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--swdock", default=os.path.join(os.path.dirname(__file__), "../../.build/release/swdock-runtime"))
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="swdock-bench-")
    try:
        spec = make_bundle(work)
        crun_prefix = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                       'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"', "sh"]
        runtimes = {
            "swdock-runtime": [os.path.abspath(args.swdock), "--root", os.path.join(work, "state-swdock")],
            "runc": ["runc", "--root", os.path.join(work, "state-runc")],
        }
        if shutil.which("crun"):
            runtimes["crun"] = crun_prefix + ["crun", "--root", os.path.join(work, "state-crun")]
        results = {name: [] for name in runtimes}
        for i in range(args.runs + 3):
            for name, argv in runtimes.items():
                cid = f"b{i}-{name[:4]}"
                set_cgroup(work, spec, f"/swdock-bench/{cid}")
                ms = timed(argv + ["run", cid], work)
                if i >= 3:  # warm-up runs are not counted
                    results[name].append(ms)
        base = statistics.median(results["crun"]) if "crun" in results else None
        print(f"{'runtime':16} {'median ms':>10} {'min-max':>14} {'x crun':>7}")
        for name, values in results.items():
            med = statistics.median(values)
            ratio = f"{med / base:.2f}" if base else "-"
            print(f"{name:16} {med:10.2f} {min(values):6.2f}-{max(values):6.2f} {ratio:>7}")
    finally:
        for d in os.listdir("/sys/fs/cgroup"):
            p = os.path.join("/sys/fs/cgroup", d, "swdock-bench")
            if os.path.isdir(p):
                for sub in os.listdir(p):
                    if os.path.isdir(os.path.join(p, sub)):
                        try: os.rmdir(os.path.join(p, sub))
                        except OSError: pass
                try: os.rmdir(p)
                except OSError: pass
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
