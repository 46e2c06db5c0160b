#!/usr/bin/env python3
"""Generates a deterministic 3-layer image's layers (~160 MB uncompressed) for bench/unpack:
a distro-like base of many small files, a layer of big binaries, and an application layer
with whiteouts and an opaque directory. Writes layerN.tar, layerN.tar.gz (gzip -6, as
Docker pushes) and layerN.tar.zst (zstd -3) into the output directory."""
import gzip, io, os, random, subprocess, sys, tarfile

out = sys.argv[1] if len(sys.argv) > 1 else '/var/tmp/swdock-bench-unpack'
os.makedirs(out, exist_ok=True)
rng = random.Random(20261201)
words = [bytes(rng.choice(b'abcdefghijklmnopqrstuvwxyz') for _ in range(rng.randint(2, 10))) for _ in range(4000)]

def text(size):
    parts, total = [], 0
    while total < size:
        w = rng.choice(words)
        parts.append(w)
        total += len(w) + 1
    return b' '.join(parts)[:size]

def binary(size):
    # Half random, half text: compresses about as well as real executables do.
    half = size // 2
    return rng.randbytes(half) + text(size - half)

def add(tar, name, kind=tarfile.REGTYPE, data=b'', mode=0o644, linkname='', uid=0, gid=0):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.linkname, info.uid, info.gid = kind, mode, linkname, uid, gid
    info.mtime = 1_700_000_000
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

def layer(index, build):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w', format=tarfile.PAX_FORMAT) as tar:
        build(tar)
    data = raw.getvalue()
    base = os.path.join(out, f'layer{index}.tar')
    open(base, 'wb').write(data)
    open(base + '.gz', 'wb').write(gzip.compress(data, 6))
    subprocess.run(['zstd', '-q', '-3', '-f', base, '-o', base + '.zst'], check=True)
    print(f'{base}: {len(data) / 1e6:.1f} MB uncompressed')

def base(tar):
    for top in ['usr', 'usr/lib', 'usr/share', 'etc', 'var', 'var/lib']:
        add(tar, top, tarfile.DIRTYPE, mode=0o755)
    for package in range(400):
        lib = f'usr/lib/pkg{package}'
        share = f'usr/share/pkg{package}'
        add(tar, lib, tarfile.DIRTYPE, mode=0o755)
        add(tar, share, tarfile.DIRTYPE, mode=0o755)
        for n in range(25):
            add(tar, f'{lib}/f{n}.so', data=binary(rng.randint(1024, 12288)), mode=0o755)
        for n in range(15):
            add(tar, f'{share}/doc{n}.txt', data=text(rng.randint(256, 6144)))
        add(tar, f'{lib}/current', tarfile.SYMTYPE, linkname='f0.so')
        add(tar, f'{lib}/alias', tarfile.LNKTYPE, linkname=f'{lib}/f1.so')
    add(tar, 'var/lib/cache', tarfile.DIRTYPE, mode=0o755)
    for n in range(200):
        add(tar, f'var/lib/cache/c{n}', data=text(4096))

def binaries(tar):
    add(tar, 'opt', tarfile.DIRTYPE, mode=0o755)
    add(tar, 'opt/bin', tarfile.DIRTYPE, mode=0o755)
    for n in range(6):
        add(tar, f'opt/bin/tool{n}', data=binary(8 << 20), mode=0o755)

def app(tar):
    add(tar, 'app', tarfile.DIRTYPE, mode=0o755)
    for d in range(60):
        add(tar, f'app/m{d}', tarfile.DIRTYPE, mode=0o755)
        for n in range(50):
            add(tar, f'app/m{d}/s{n}.py', data=text(rng.randint(2048, 16384)))
    add(tar, 'usr', tarfile.DIRTYPE, mode=0o755)
    add(tar, 'usr/share', tarfile.DIRTYPE, mode=0o755)
    for package in range(0, 400, 7):
        add(tar, f'usr/share/pkg{package}/.wh.doc0.txt')
    add(tar, 'var', tarfile.DIRTYPE, mode=0o755)
    add(tar, 'var/lib', tarfile.DIRTYPE, mode=0o755)
    add(tar, 'var/lib/cache', tarfile.DIRTYPE, mode=0o755)
    add(tar, 'var/lib/cache/.wh..wh..opq')
    add(tar, 'var/lib/cache/new', data=b'x')

for i, build in enumerate([base, binaries, app]):
    layer(i, build)
