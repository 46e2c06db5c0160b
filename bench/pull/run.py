#!/usr/bin/env python3
"""bench/pull: cold pull of the fixture `bench` image (5 gzip layers, ~125 MB compressed,
~22 000 files) from the local registry, through

  swdock   `docker pull` (CLI 28) against a private swdockd (release build): download, verify,
           unpack into overlay snapshots, record the image
  docker   the same CLI against a private Debian dockerd 20.10 + containerd (overlay2)
  podman   `podman pull --tls-verify=false` with a private --root (overlay)
  skopeo   `skopeo copy docker://… oci:DIR`: download and verify only, no unpack

run alternately, round by round (the order rotates each round), median of --runs each.
Before each timed run the image is removed and the store checked empty (untimed); with
--drop-caches the page cache is dropped too (it is not by default: the machine is shared).
With --tmpfs every store is on one tmpfs: on this VM's ext4 (mounted with `discard`, shared
with other builds) creating an inode costs anywhere from 25 µs to 700 µs depending on the
moment and the directory, for tar, dockerd and swdock alike, which then dominates the figure.

usage: Tests/Harness/with-test-services.sh bench/pull/run.py [--runs 5] [--dir /var/tmp/…]
Needs root and `swift build -c release --product swdockd`. The peers run in a private mount
namespace (tmpfs over /run and /var/lib/containers), so nothing of the host's docker or
podman state is touched; every process started is stopped by its PID at the end."""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, time, uuid

here = os.path.dirname(os.path.abspath(__file__))
package = os.path.dirname(os.path.dirname(here))
parser = argparse.ArgumentParser()
parser.add_argument('--runs', type=int, default=5)
parser.add_argument('--dir', default='/var/lib/sbp-' + uuid.uuid4().hex[:6])
parser.add_argument('--drop-caches', action='store_true')
parser.add_argument('--tmpfs', action='store_true',
                    help='put every store on a tmpfs: measures the pull pipelines, not this disk')
parser.add_argument('--only', default='swdock,docker,podman,skopeo')
args = parser.parse_args()

registry = os.environ.get('SWDOCK_TEST_REGISTRY') or sys.exit('run under Tests/Harness/with-test-services.sh')
image = f'{registry}/swdock-fixtures/bench:latest'
swdockd = os.path.join(package, '.build', 'release', 'swdockd')
if not os.path.exists(swdockd):
    sys.exit(f'missing {swdockd}: swift build -c release --product swdockd')
cli = '/usr/local/bin/docker'
tools = args.only.split(',')
work = args.dir
os.makedirs(work, exist_ok=True)
if args.tmpfs:
    subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=8g,mode=0755', 'tmpfs', work], check=True)
started = []  # (name, Popen)


def start(name, argv, log):
    process = subprocess.Popen(argv, stdout=open(log, 'w'), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    started.append((name, process))
    return process


def wait_for(what, check, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    sys.exit(f'timed out waiting for {what}')


def run(argv, **kw):
    return subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def ping(socket):
    return subprocess.run(['curl', '-sf', '--max-time', '2', '--unix-socket', socket, 'http://x/_ping'],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def cleanup():
    for name, process in reversed(started):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    if args.tmpfs:
        subprocess.run(['umount', '-l', work])
    shutil.rmtree(work, ignore_errors=True)


try:
    # swdockd
    sw = os.path.join(work, 'swdock')
    os.makedirs(sw, exist_ok=True)
    with open(f'{sw}/daemon.json', 'w') as f:
        f.write('{}')
    sw_sock = f'{sw}/swdock.sock'
    start('swdockd', [swdockd, '-H', 'unix://' + sw_sock, '--data-root', f'{sw}/root', '--exec-root', f'{sw}/exec',
                      '--pidfile', f'{sw}/pid', '--config-file', f'{sw}/daemon.json'], f'{sw}/log')
    wait_for('swdockd', lambda: ping(sw_sock))

    # the peers' mount namespace
    peers = os.path.join(work, 'peers')
    os.makedirs(peers, exist_ok=True)
    ready = f'{peers}/ns.ready'
    holder = start('mount namespace', ['unshare', '--mount', '--propagation', 'private', 'sh', '-c',
                                       f"mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /var/lib/containers && touch {ready} && exec sleep 2147483647"],
                   f'{peers}/ns.log')
    wait_for('mount namespace', lambda: os.path.exists(ready))
    ns = ['nsenter', f'--mount=/proc/{holder.pid}/ns/mnt', '--']

    docker_sock = f'{peers}/docker.sock'
    if 'docker' in tools:
        cd = f'{peers}/containerd'
        os.makedirs(cd + '/tmp', exist_ok=True)
        with open(f'{cd}/config.toml', 'w') as f:
            f.write(f'''version = 2
root = "{cd}/root"
state = "{cd}/state"
temp = "{cd}/tmp"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "{cd}/containerd.sock"
[ttrpc]
  address = "{cd}/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "{cd}/opt"
''')
        start('containerd', ns + ['containerd', '--config', f'{cd}/config.toml'], f'{cd}/log')
        wait_for('containerd', lambda: os.path.exists(f'{cd}/containerd.sock'))
        dd = f'{peers}/docker'
        os.makedirs(dd, exist_ok=True)
        with open(f'{dd}/daemon.json', 'w') as f:
            json.dump({'deprecated-key-path': f'{dd}/key.json', 'storage-driver': 'overlay2'}, f)
        start('dockerd', ns + ['dockerd', '--config-file', f'{dd}/daemon.json', '--data-root', f'{dd}/data',
                               '--exec-root', f'{dd}/exec', '--pidfile', f'{dd}/pid', '-H', 'unix://' + docker_sock,
                               '--containerd', f'{cd}/containerd.sock', '--bridge=none', '--iptables=false',
                               '--ip6tables=false', '--ip-forward=false', '--ip-masq=false'], f'{dd}/log')
        wait_for('dockerd', lambda: ping(docker_sock))

    pd = f'{work}/p'
    podman = ns + ['podman', '--root', f'{pd}/root', '--runroot', f'{pd}/runroot', '--tmpdir', f'{pd}/tmp',
                   '--storage-driver', 'overlay', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file']
    oci = f'{peers}/oci'

    def empty(path):
        return not os.path.exists(path) or not os.listdir(path)

    def reset(tool):
        if tool == 'swdock':
            subprocess.run([cli, '-H', 'unix://' + sw_sock, 'rmi', '-f', image], capture_output=True)
            blobs = f'{sw}/root/content/blobs/sha256'
            assert empty(blobs), f'swdock store not empty: {os.listdir(blobs)}'
            assert empty(f'{sw}/root/snapshots/overlayfs/snapshots'), 'swdock snapshots not empty'
        elif tool == 'docker':
            subprocess.run([cli, '-H', 'unix://' + docker_sock, 'rmi', '-f', image], capture_output=True)
            left = subprocess.run([cli, '-H', 'unix://' + docker_sock, 'images', '-q'], capture_output=True, text=True).stdout
            assert left.strip() == '', f'dockerd still has images: {left}'
            layers = f'{peers}/docker/data/image/overlay2/layerdb/sha256'
            assert empty(layers), f'dockerd still has layers: {os.listdir(layers)}'
        elif tool == 'podman':
            subprocess.run(podman + ['rmi', '-f', '-a'], capture_output=True)
        elif tool == 'skopeo':
            shutil.rmtree(oci, ignore_errors=True)
        subprocess.run(['sync'])
        if args.drop_caches:
            with open('/proc/sys/vm/drop_caches', 'w') as f:
                f.write('3\n')

    def command(tool):
        if tool == 'swdock':
            return [cli, '-H', 'unix://' + sw_sock, 'pull', '-q', image]
        if tool == 'docker':
            return [cli, '-H', 'unix://' + docker_sock, 'pull', '-q', image]
        if tool == 'podman':
            return podman + ['pull', '-q', '--tls-verify=false', image]
        return ['skopeo', 'copy', '-q', '--src-tls-verify=false', f'docker://{image}', f'oci:{oci}:latest']

    times = {tool: [] for tool in tools}
    for round_index in range(args.runs + 1):
        order = tools[round_index % len(tools):] + tools[:round_index % len(tools)]
        for tool in order:
            reset(tool)
            begin = time.monotonic()
            result = subprocess.run(command(tool), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            elapsed = time.monotonic() - begin
            if result.returncode != 0:
                sys.exit(f'{tool} pull failed: {result.stderr}')
            if round_index > 0:  # round 0 warms the registry's page cache and the daemons
                times[tool].append(elapsed)
        print(f'round {round_index}: ' + ', '.join(f'{t} {times[t][-1]:.2f}s' for t in tools if round_index > 0 and times[t]),
              file=sys.stderr)

    reference = statistics.median(times['docker']) if 'docker' in times else None
    print(f'\ncold pull of {image}, median of {args.runs}, stores on {"tmpfs" if args.tmpfs else work} (load average {os.getloadavg()[0]:.1f})')
    print('| tool | median s | min–max s | × docker |')
    print('|---|---:|---:|---:|')
    for tool in tools:
        median = statistics.median(times[tool])
        ratio = f'{median / reference:.2f}' if reference else '–'
        print(f'| {tool} | {median:.2f} | {min(times[tool]):.2f}–{max(times[tool]):.2f} | {ratio} |')
finally:
    cleanup()
