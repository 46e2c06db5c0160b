#!/usr/bin/env python3
"""bench/unpack: unpack throughput of a multi-layer image's layers with swdock's applier,
against `tar -x` of the same uncompressed tars and against decompress-only time.

usage: bench/unpack/run.py [--runs N] [--dir DIR] [LAYER.tar ...]
Without layer arguments the layers of make-layers.py are generated (once) in DIR. Given
uncompressed tars (e.g. the fixture `bench` image's layers), layer.tar.gz / .zst beside them
are used when present and made otherwise. Needs root (ownership is applied) and a release
build of swdock-unpack-bench (`swift build -c release --product swdock-unpack-bench`).
Each figure is the median over N runs of the summed time of all layers, warm page cache,
each extraction into an empty directory on the same file system, removed between runs."""
import argparse, os, shutil, statistics, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
package = os.path.dirname(os.path.dirname(here))
parser = argparse.ArgumentParser()
parser.add_argument('--runs', type=int, default=5)
parser.add_argument('--dir', default='/var/tmp/swdock-bench-unpack')
parser.add_argument('layers', nargs='*')
args = parser.parse_args()

tool = os.path.join(package, '.build', 'release', 'swdock-unpack-bench')
if not os.path.exists(tool):
    sys.exit(f'missing {tool}: swift build -c release --product swdock-unpack-bench')
layers = args.layers
if not layers:
    if not os.path.exists(os.path.join(args.dir, 'layer2.tar.zst')):
        subprocess.run([sys.executable, os.path.join(here, 'make-layers.py'), args.dir], check=True)
    layers = sorted(os.path.join(args.dir, f) for f in os.listdir(args.dir) if f.endswith('.tar'))
for layer in layers:
    if not os.path.exists(layer + '.gz'):
        subprocess.run(f'gzip -6 -c {layer} > {layer}.gz', shell=True, check=True)
    if not os.path.exists(layer + '.zst'):
        subprocess.run(['zstd', '-q', '-3', '-f', layer, '-o', layer + '.zst'], check=True)
total_bytes = sum(os.path.getsize(layer) for layer in layers)
scratch = os.path.join(args.dir, 'scratch')

def timed(command):
    start = time.monotonic()
    subprocess.run(command, shell=True, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - start

def extract(make_command):
    """Times extracting every layer into its own empty directory; returns the summed seconds."""
    total = 0.0
    for index, layer in enumerate(layers):
        target = f'{scratch}/{index}'
        shutil.rmtree(scratch, ignore_errors=True)
        os.makedirs(target)
        total += timed(make_command(layer, target))
    shutil.rmtree(scratch, ignore_errors=True)
    return total

def digest_only(make_command):
    return sum(timed(make_command(layer)) for layer in layers)

cases = [
    ('swdock apply, gzip blob', lambda: extract(lambda l, t: f'{tool} apply {l}.gz {t}')),
    ('swdock apply, zstd blob', lambda: extract(lambda l, t: f'{tool} apply {l}.zst {t}')),
    ('swdock apply, uncompressed tar', lambda: extract(lambda l, t: f'{tool} apply {l} {t}')),
    ('GNU tar -x, uncompressed tar', lambda: extract(lambda l, t: f'tar --xattrs --same-owner -xpf {l} -C {t}')),
    ('GNU tar -xz, gzip blob', lambda: extract(lambda l, t: f'tar --xattrs --same-owner -xzpf {l}.gz -C {t}')),
    ('decompress only: gzip -dc', lambda: digest_only(lambda l: f'gzip -dc {l}.gz > /dev/null')),
    ('decompress only: zstd -dc', lambda: digest_only(lambda l: f'zstd -q -dc {l}.zst > /dev/null')),
    ('swdock decompress+sha256, gzip', lambda: digest_only(lambda l: f'{tool} digest {l}.gz')),
    ('swdock decompress+sha256, zstd', lambda: digest_only(lambda l: f'{tool} digest {l}.zst')),
    ('sha256sum of uncompressed tar', lambda: digest_only(lambda l: f'sha256sum {l} > /dev/null')),
]
print(f'{len(layers)} layers, {total_bytes / 1e6:.1f} MB uncompressed, median of {args.runs} runs')
print(f'{"case":<34} {"median s":>9} {"MB/s":>8}   runs (s)')
for name, run in cases:
    run()  # warm-up: page cache, first-touch costs
    times = [run() for _ in range(args.runs)]
    median = statistics.median(times)
    print(f'{name:<34} {median:>9.3f} {total_bytes / 1e6 / median:>8.1f}   ' + ' '.join(f'{t:.2f}' for t in times))
