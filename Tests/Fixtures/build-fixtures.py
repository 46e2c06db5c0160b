#!/usr/bin/env python3
"""Builds swdock's offline test images, deterministically, from Debian's busybox-static.

    build-fixtures.py OUTDIR [--force]

Writes, under OUTDIR:
  catalog.json                 every fixture: repository, tags, digests, media types, trees
  <fixture>/oci/               an OCI image layout (skopeo `oci:<dir>:<tag>`)
  <fixture>/dir/<tag>/         skopeo `dir:` copies for Docker schema2 variants
  <fixture>/.../expected.json  the merged rootfs (all layers applied, whiteouts resolved)
  <fixture>/.../layers/N.json  layer N as an overlayfs upper directory looks after applying it
  stamp                        hash of the inputs; a matching stamp means "up to date"

Same inputs give the same bytes: fixed mtimes, fixed uid/gid, sorted tar entries, no
gzip header mtime or name, random data from seeded PRNGs. The inputs are this script,
/bin/busybox, the zstd CLI (used for zstd, `zstd -3 -T1`, no Python zstd module needed)
and Python's zlib. The tree manifest format is described in Tests/Fixtures/README.md.

Only the Python 3 standard library and the `zstd` command are used.
"""

import base64
import gzip
import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import zlib

BUSYBOX = "/bin/busybox"
MTIME = 1704067200                      # 2024-01-01T00:00:00Z, every entry's mtime
CREATED = "2024-01-01T00:00:00Z"
FORMAT_VERSION = 1
REPOSITORY_PREFIX = "swdock-fixtures/"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_OCI_TAR = "application/vnd.oci.image.layer.v1.tar"
MT_OCI_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
MT_OCI_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
MT_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MT_DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
MT_DOCKER_TAR = "application/vnd.docker.image.rootfs.diff.tar"
MT_DOCKER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"

LAYER_MEDIA_TYPES = {
    ("oci", "gzip"): MT_OCI_GZIP, ("oci", "zstd"): MT_OCI_ZSTD, ("oci", "none"): MT_OCI_TAR,
    ("docker", "gzip"): MT_DOCKER_GZIP, ("docker", "none"): MT_DOCKER_TAR,
}

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


# ── layer contents ──────────────────────────────────────────────────────────────────────

class Entry:
    """One tar entry. kind: file dir symlink hardlink fifo char block."""

    __slots__ = ("path", "kind", "mode", "uid", "gid", "data", "target", "xattrs", "devmajor", "devminor")

    def __init__(self, path, kind, mode, uid=0, gid=0, data=b"", target="", xattrs=None, devmajor=0, devminor=0):
        assert not path.startswith("/") and not path.endswith("/") and path, path
        self.path, self.kind, self.mode, self.uid, self.gid = path, kind, mode, uid, gid
        self.data, self.target, self.xattrs = data, target, dict(xattrs or {})
        self.devmajor, self.devminor = devmajor, devminor

    @property
    def base(self):
        return self.path.rsplit("/", 1)[-1]

    @property
    def parent(self):
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""


def entry_sort_key(path):
    """Depth-first order: a directory before its children; in a directory, whiteouts first."""
    return [(0 if part.startswith(WHITEOUT_PREFIX) else 1, part.encode()) for part in path.split("/")]


class Layer:
    """The entries of one layer. Parent directories missing from the layer are added when it
    is finished, with the attributes they have in the layers below (as a layer diff would)."""

    def __init__(self, comment):
        self.comment = comment
        self.entries = {}

    def add(self, entry):
        assert entry.path not in self.entries, "duplicate entry " + entry.path
        self.entries[entry.path] = entry
        return self

    def dir(self, path, mode=0o755, uid=0, gid=0, xattrs=None):
        return self.add(Entry(path, "dir", mode, uid, gid, xattrs=xattrs))

    def file(self, path, data, mode=0o644, uid=0, gid=0, xattrs=None):
        if isinstance(data, str):
            data = data.encode()
        return self.add(Entry(path, "file", mode, uid, gid, data=data, xattrs=xattrs))

    def symlink(self, path, target, uid=0, gid=0):
        return self.add(Entry(path, "symlink", 0o777, uid, gid, target=target))

    def hardlink(self, path, target):
        source = self.entries[target]
        assert source.kind == "file", "hard link target must be a file in the same layer: " + target
        return self.add(Entry(path, "hardlink", source.mode, source.uid, source.gid, target=target))

    def fifo(self, path, mode=0o644, uid=0, gid=0):
        return self.add(Entry(path, "fifo", mode, uid, gid))

    def whiteout(self, path):
        parent, _, base = path.rpartition("/")
        return self.add(Entry((parent + "/" if parent else "") + WHITEOUT_PREFIX + base, "file", 0))

    def opaque(self, directory):
        return self.add(Entry(directory + "/" + OPAQUE_MARKER, "file", 0))

    def finish(self, below):
        """Adds missing parents (attributes from `below`, a merged tree) and returns sorted entries."""
        for path in list(self.entries):
            parts = path.split("/")
            for i in range(1, len(parts)):
                parent = "/".join(parts[:i])
                if parent in self.entries:
                    assert self.entries[parent].kind == "dir", "parent is not a directory: " + parent
                    continue
                lower = below.get(parent) if below else None
                if lower is not None and lower.kind == "dir":
                    self.entries[parent] = Entry(parent, "dir", lower.mode, lower.uid, lower.gid, xattrs=lower.xattrs)
                else:
                    self.entries[parent] = Entry(parent, "dir", 0o755)
        ordered = sorted(self.entries.values(), key=lambda e: entry_sort_key(e.path))
        # A tar hard link must follow the entry holding the data: in each link group the
        # first path in tar order carries the data and the others link to it.
        first_of_group = {}
        for i, e in enumerate(ordered):
            source = e.target if e.kind == "hardlink" else e.path
            if e.kind not in ("file", "hardlink"):
                continue
            if source not in first_of_group:
                first_of_group[source] = e.path
                if e.kind == "hardlink":
                    data = self.entries[source]
                    ordered[i] = Entry(e.path, "file", data.mode, data.uid, data.gid, data=data.data,
                                       xattrs=data.xattrs)
            elif first_of_group[source] != e.path:
                ordered[i] = Entry(e.path, "hardlink", e.mode, e.uid, e.gid, target=first_of_group[source])
        return ordered


# ── tar writer (PAX, as Go's archive/tar writes image layers) ─────────────────────────────

TYPEFLAGS = {"file": b"0", "hardlink": b"1", "symlink": b"2", "char": b"3", "block": b"4", "dir": b"5", "fifo": b"6"}


def _octal(value, width):
    text = b"%0*o" % (width - 1, value)
    assert len(text) == width - 1, "value does not fit a tar field"
    return text + b"\0"


def _ascii_field(text, width):
    raw = text.encode("ascii", "replace")[:width]
    return raw + b"\0" * (width - len(raw))


def _header(name, linkname, mode, uid, gid, size, typeflag, devmajor=0, devminor=0):
    fields = [
        _ascii_field(name, 100), _octal(mode, 8), _octal(uid, 8), _octal(gid, 8), _octal(size, 12),
        _octal(MTIME, 12), b" " * 8, typeflag, _ascii_field(linkname, 100), b"ustar\x0000",
        b"\0" * 32, b"\0" * 32, _octal(devmajor, 8), _octal(devminor, 8), b"\0" * 155, b"\0" * 12,
    ]
    block = bytearray(b"".join(fields))
    assert len(block) == 512
    block[148:156] = b"%06o\0 " % sum(block)
    return bytes(block)


def _pad(size):
    return b"\0" * ((512 - size % 512) % 512)


def _pax_record(key, value):
    body = b" " + key + b"=" + value + b"\n"
    length = len(body) + 1
    while len(str(length).encode()) + len(body) != length:
        length += 1
    return str(length).encode() + body


def tar_bytes(entries):
    """A PAX tar of `entries`, ending in two zero blocks (no padding to a record size)."""
    out = bytearray()
    for e in entries:
        name = e.path + ("/" if e.kind == "dir" else "")
        link = e.target if e.kind in ("symlink", "hardlink") else ""
        pax = {}
        if len(name.encode()) > 100 or not name.isascii():
            pax[b"path"] = name.encode()
        if len(link.encode()) > 100 or not link.isascii():
            pax[b"linkpath"] = link.encode()
        for key, value in e.xattrs.items():
            pax[b"SCHILY.xattr." + key.encode()] = value
        if pax:
            data = b"".join(_pax_record(k, pax[k]) for k in sorted(pax))
            pax_name = "PaxHeaders.0/" + e.base.encode("ascii", "replace").decode()[:80]
            out += _header(pax_name, "", 0o644, 0, 0, len(data), b"x") + data + _pad(len(data))
        size = len(e.data) if e.kind == "file" else 0
        out += _header(name, link, e.mode, e.uid, e.gid, size, TYPEFLAGS[e.kind], e.devmajor, e.devminor)
        if size:
            out += e.data + _pad(size)
    out += b"\0" * 1024
    return bytes(out)


def compress(data, compression):
    if compression == "none":
        return data
    if compression == "gzip":
        return gzip.compress(data, compresslevel=6, mtime=0)
    if compression == "zstd":
        result = subprocess.run(["zstd", "-q", "-c", "-3", "-T1", "--no-progress"], input=data,
                                stdout=subprocess.PIPE, check=True)
        return result.stdout
    raise ValueError("unknown compression " + compression)


# ── expected trees ───────────────────────────────────────────────────────────────────────

class Inode:
    """What a path of the tree points to; hard links share one Inode object."""

    __slots__ = ("kind", "mode", "uid", "gid", "data", "target", "xattrs", "devmajor", "devminor", "mtime")

    def __init__(self, kind, mode, uid, gid, data=b"", target="", xattrs=None, devmajor=0, devminor=0, mtime=MTIME):
        self.kind, self.mode, self.uid, self.gid = kind, mode, uid, gid
        self.data, self.target, self.xattrs = data, target, dict(xattrs or {})
        self.devmajor, self.devminor, self.mtime = devmajor, devminor, mtime

    @staticmethod
    def of(entry):
        return Inode(entry.kind, entry.mode, entry.uid, entry.gid, entry.data, entry.target, entry.xattrs,
                     entry.devmajor, entry.devminor)


def _descendants(tree, path):
    prefix = path + "/"
    return [p for p in tree if p.startswith(prefix)]


def apply_merged(tree, entries):
    """Applies one layer onto `tree` (path → Inode) the way an image extractor does."""
    added = set()
    for e in entries:
        if e.base == OPAQUE_MARKER:
            for p in _descendants(tree, e.parent):
                if p not in added:
                    del tree[p]
            continue
        if e.base.startswith(WHITEOUT_PREFIX):
            victim = (e.parent + "/" if e.parent else "") + e.base[len(WHITEOUT_PREFIX):]
            assert victim not in added, "whiteout of a path added in the same layer: " + victim
            for p in [victim] + _descendants(tree, victim):
                tree.pop(p, None)
            continue
        existing = tree.get(e.path)
        if existing is not None and (existing.kind == "dir") != (e.kind == "dir"):
            for p in [e.path] + _descendants(tree, e.path):
                del tree[p]
        if e.kind == "hardlink":
            tree[e.path] = tree[e.target]
        else:
            assert e.parent == "" or tree[e.parent].kind == "dir", "parent not a directory: " + e.path
            tree[e.path] = Inode.of(e)
        added.add(e.path)


def upper_tree(entries):
    """Layer entries as an overlayfs upper directory holds them after conversion."""
    tree = {}
    for e in entries:
        if e.base == OPAQUE_MARKER:
            tree[e.parent].xattrs["trusted.overlay.opaque"] = b"y"
        elif e.base.startswith(WHITEOUT_PREFIX):
            victim = (e.parent + "/" if e.parent else "") + e.base[len(WHITEOUT_PREFIX):]
            # Appliers mknod(S_IFCHR, 0) and chown to the whiteout entry's owner; no mtime is set.
            tree[victim] = Inode("char", 0, e.uid, e.gid, mtime=None)
        elif e.kind == "hardlink":
            tree[e.path] = tree[e.target]
        else:
            tree[e.path] = Inode.of(e)
    return tree


def manifest_json(tree):
    """The version-1 tree manifest of `tree`, one entry per line."""
    group_of_inode = {}
    paths = sorted(tree)
    counts = {}
    for p in paths:
        if tree[p].kind != "dir":
            counts[id(tree[p])] = counts.get(id(tree[p]), 0) + 1
    lines = []
    for p in paths:
        node = tree[p]
        item = {"path": p, "type": "file" if node.kind == "hardlink" else node.kind,
                "mode": "%04o" % (node.mode & 0o7777), "uid": node.uid, "gid": node.gid}
        if item["type"] == "file":
            item["size"] = len(node.data)
            item["sha256"] = sha256_hex(node.data)
        if node.kind == "symlink":
            item["target"] = node.target
        if node.kind in ("char", "block"):
            item["devmajor"] = node.devmajor
            item["devminor"] = node.devminor
        if node.xattrs:
            item["xattrs"] = {k: base64.b64encode(v).decode() for k, v in sorted(node.xattrs.items())}
        if node.kind != "dir" and node.mtime is not None:
            item["mtime"] = node.mtime
        if node.kind != "dir" and counts[id(node)] > 1:
            if id(node) not in group_of_inode:
                group_of_inode[id(node)] = len(group_of_inode) + 1
            item["hardlinkGroup"] = group_of_inode[id(node)]
        lines.append(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
    return ('{"version":%d,"entries":[\n' % FORMAT_VERSION + ",\n".join(lines) + "\n]}\n").encode()


# ── images ───────────────────────────────────────────────────────────────────────────────

def json_bytes(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class BuiltLayer:
    """A finished layer: its tar, diffID and trees, shared by every image that uses it."""

    def __init__(self, layer, below):
        self.comment = layer.comment
        self.entries = layer.finish(below)
        self.tar = tar_bytes(self.entries)
        self.diff_id = "sha256:" + sha256_hex(self.tar)
        self.upper = upper_tree(self.entries)
        self._compressed = {}

    def blob(self, compression):
        if compression not in self._compressed:
            self._compressed[compression] = compress(self.tar, compression)
        return self._compressed[compression]


class Rootfs:
    """Layers stacked in order, with the merged tree after each."""

    def __init__(self):
        self.layers = []
        self.tree = {}

    def add(self, layer):
        built = BuiltLayer(layer, self.tree)
        apply_merged(self.tree, built.entries)
        self.layers.append(built)
        return self

    def derive(self):
        copy = Rootfs()
        copy.layers = list(self.layers)
        copy.tree = dict(self.tree)
        return copy


class OCILayout:
    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
        self.refs = []

    def put(self, data):
        digest = sha256_hex(data)
        path = os.path.join(self.root, "blobs", "sha256", digest)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
        return "sha256:" + digest

    def tag(self, descriptor, tag):
        ref = dict(descriptor)
        ref["annotations"] = {"org.opencontainers.image.ref.name": tag}
        self.refs.append(ref)

    def finish(self):
        with open(os.path.join(self.root, "oci-layout"), "wb") as f:
            f.write(json_bytes({"imageLayoutVersion": "1.0.0"}))
        with open(os.path.join(self.root, "index.json"), "wb") as f:
            f.write(json_bytes({"schemaVersion": 2, "mediaType": MT_OCI_INDEX, "manifests": self.refs}))


class DirCopy:
    """skopeo's `dir:` transport (version 1.1): manifest.json plus blobs named by hex digest."""

    def __init__(self, root):
        self.root = root
        os.makedirs(root, exist_ok=True)
        with open(os.path.join(root, "version"), "w") as f:
            f.write("Directory Transport Version: 1.1\n")

    def put(self, data):
        digest = sha256_hex(data)
        with open(os.path.join(self.root, digest), "wb") as f:
            f.write(data)
        return "sha256:" + digest

    def manifest(self, data):
        with open(os.path.join(self.root, "manifest.json"), "wb") as f:
            f.write(data)


class Builder:
    def __init__(self, out):
        self.out = out
        self.catalog = []

    def write_trees(self, rootfs, subdir):
        """Writes expected.json and layers/N.json under `subdir`; returns their relative paths."""
        os.makedirs(os.path.join(self.out, subdir, "layers"), exist_ok=True)
        expected = subdir + "/expected.json"
        with open(os.path.join(self.out, expected), "wb") as f:
            f.write(manifest_json(rootfs.tree))
        layer_trees = []
        for index, layer in enumerate(rootfs.layers):
            rel = "%s/layers/%d.json" % (subdir, index)
            with open(os.path.join(self.out, rel), "wb") as f:
                f.write(manifest_json(layer.upper))
            layer_trees.append(rel)
        return expected, layer_trees

    def image(self, store, rootfs, platform, config_extra, compressions, flavour="oci",
              label_as=None, extra_history=(), trees=None):
        """Writes config, layers and manifest into `store`; returns (manifest bytes, catalog image).

        `compressions` gives each layer's compression; `label_as` overrides the compression
        named by the media type (for the deliberately mislabelled variant)."""
        history = []
        for layer in rootfs.layers:
            history.append({"created": CREATED, "created_by": layer.comment})
        for position, item in extra_history:
            history.insert(position, dict({"created": CREATED, "empty_layer": True}, **item))
        config = {"created": CREATED, "architecture": platform["architecture"], "os": platform["os"]}
        if "variant" in platform:
            config["variant"] = platform["variant"]
        config["config"] = config_extra
        config["rootfs"] = {"type": "layers", "diff_ids": [l.diff_id for l in rootfs.layers]}
        config["history"] = history
        config_bytes = json_bytes(config)
        config_digest = store.put(config_bytes)
        config_type = MT_OCI_CONFIG if flavour == "oci" else MT_DOCKER_CONFIG
        layers, catalog_layers = [], []
        for i, layer in enumerate(rootfs.layers):
            blob = layer.blob(compressions[i])
            labelled = (label_as or compressions)[i]
            media_type = LAYER_MEDIA_TYPES[(flavour, labelled)]
            digest = store.put(blob)
            layers.append({"mediaType": media_type, "digest": digest, "size": len(blob)})
            catalog_layers.append({"digest": digest, "mediaType": media_type, "size": len(blob),
                                   "diffID": layer.diff_id, "compression": compressions[i],
                                   "entries": len(layer.entries), "tree": trees[1][i]})
        manifest = {"schemaVersion": 2,
                    "mediaType": MT_OCI_MANIFEST if flavour == "oci" else MT_DOCKER_MANIFEST,
                    "config": {"mediaType": config_type, "digest": config_digest, "size": len(config_bytes)},
                    "layers": layers}
        manifest_bytes = json_bytes(manifest)
        manifest_digest = store.put(manifest_bytes) if isinstance(store, OCILayout) else None
        if manifest_digest is None:
            store.manifest(manifest_bytes)
            manifest_digest = "sha256:" + sha256_hex(manifest_bytes)
        entry = {"manifest": {"digest": manifest_digest, "mediaType": manifest["mediaType"],
                              "size": len(manifest_bytes)},
                 "platform": platform,
                 "config": {"digest": config_digest, "mediaType": config_type, "size": len(config_bytes)},
                 "layers": catalog_layers, "historyCount": len(history),
                 "expected": trees[0]}
        return manifest_bytes, entry

    def add_fixture(self, name, kind, tags, description):
        self.catalog.append({"name": name, "repository": REPOSITORY_PREFIX + name, "kind": kind,
                             "description": description, "tags": tags})


# ── fixture contents ─────────────────────────────────────────────────────────────────────

def busybox_applets():
    listing = subprocess.run([BUSYBOX, "--list"], stdout=subprocess.PIPE, check=True, text=True).stdout
    return sorted(name for name in listing.split() if name and name != "busybox" and "/" not in name)


PASSWD = ("root:x:0:0:root:/root:/bin/sh\n"
          "app:x:1000:1000:app:/home/app:/bin/sh\n"
          "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
GROUP = "root:x:0:\napp:x:1000:\nnobody:x:65534:\n"


def busybox_layer(binary):
    layer = Layer("swdock build-fixtures: busybox-static rootfs (/bin/busybox and its applets as hard links)")
    for d in ("bin", "dev", "etc", "home", "proc", "sys", "usr", "usr/bin", "usr/sbin", "sbin", "var", "var/spool"):
        layer.dir(d)
    layer.dir("root", 0o700)
    layer.dir("tmp", 0o1777)
    layer.dir("var/tmp", 0o1777)
    layer.dir("home/app", 0o755, 1000, 1000)
    layer.file("bin/busybox", binary, 0o755)
    for applet in busybox_applets():
        layer.hardlink("bin/" + applet, "bin/busybox")
    layer.file("etc/passwd", PASSWD)
    layer.file("etc/group", GROUP)
    layer.file("etc/hostname", "swdock-fixture\n")
    return layer


# VFS_CAP_REVISION_2 with the effective bit: cap_net_bind_service (bit 10) permitted + effective.
CAP_NET_BIND_SERVICE = struct.pack("<IIIII", 0x02000001, 1 << 10, 0, 0, 0)
DEEP_DIR = "deep/" + "/".join("level-%02d-abcdefghijklmnopqrstuvwxyz" % i for i in range(8))
LONG_NAME = "long-name-" + "x" * 140 + ".txt"


def multilayer_rootfs(binary):
    rootfs = Rootfs()
    base = Layer("swdock build-fixtures: multilayer base (links, xattrs, fifo, setuid, owners, deep, UTF-8)")
    base.dir("bin").file("bin/busybox", binary, 0o755).symlink("bin/sh", "busybox")
    base.file("etc/passwd", PASSWD).file("etc/group", GROUP)
    base.dir("tmp", 0o1777).dir("root", 0o700)
    base.file("usr/bin/tool", "#!/bin/sh\necho tool v1\n", 0o755)
    base.hardlink("usr/share/tool/tool-hardlink", "usr/bin/tool")
    base.file("usr/lib/libfoo.so.1", b"\x7fELF not really, libfoo 1\n", 0o644)
    base.symlink("usr/lib/libfoo.so", "libfoo.so.1")
    base.symlink("usr/lib/passwd-up", "../../etc/passwd")
    base.symlink("usr/lib/dangling", "does/not/exist")
    base.symlink("usr/local/bin/sh-absolute", "/bin/busybox")
    base.file("usr/bin/setuid-tool", "#!/bin/sh\nid\n", 0o4755)
    base.file("usr/bin/setgid-tool", "#!/bin/sh\nid -g\n", 0o2755, 0, 50)
    base.file("usr/bin/cap-tool", "#!/bin/sh\necho needs cap_net_bind_service\n", 0o755,
              xattrs={"security.capability": CAP_NET_BIND_SERVICE})
    base.dir("data", 0o755)
    base.file("data/owned-1000", "owned by app\n", 0o640, 1000, 1000)
    base.file("data/owned-123-456", "owned by 123:456\n", 0o600, 123, 456)
    base.dir("data/dir-1000", 0o750, 1000, 1000)
    base.file("data/dir-1000/inside", "inside a directory owned by 1000\n", 0o644, 1000, 1000)
    base.file("data/xattr-file", "has user xattrs\n", 0o644,
              xattrs={"user.comment": b"hello xattr", "user.binary": bytes([0, 1, 2, 0xfe, 0xff, 0x80, 10])})
    base.dir("data/xattr-dir", 0o755, xattrs={"user.dir": b"yes"})
    base.fifo("data/fifo", 0o600)
    base.fifo("data/fifo-1000", 0o660, 1000, 1000)
    base.file(DEEP_DIR + "/leaf.txt", "at the bottom of a deep path\n")
    base.file("deep/" + LONG_NAME, "a file name longer than 100 bytes\n")
    base.file("données/日本語.txt", "こんにちは\n")
    base.file("données/naïve café.txt", "espace et accents\n")
    base.symlink("données/lien→日本語", "日本語.txt")
    base.file("whiteout-me.txt", "removed by layer 1, added back by layer 3\n")
    base.file("to-be-whiteout/a", "a\n").file("to-be-whiteout/b", "b\n")
    base.file("opaque-dir/old1", "old1\n").file("opaque-dir/old2", "old2\n")
    base.file("opaque-dir/sub/old3", "old3\n")
    base.dir("opaque-dir", 0o755, 0, 0, xattrs={"user.kept": b"dir attrs from the base"})
    base.file("file-becomes-dir", "I am a file in layer 0\n")
    base.file("dir-becomes-file/inner.txt", "inner\n").file("dir-becomes-file/sub/x", "x\n")
    rootfs.add(base)

    change = Layer("swdock build-fixtures: multilayer changes (whiteouts, opaque dir, type changes, new links)")
    change.whiteout("whiteout-me.txt")
    change.whiteout("to-be-whiteout/a")
    change.whiteout("usr/lib/passwd-up")
    change.opaque("opaque-dir")  # the directory entry comes from below, attributes unchanged
    change.file("opaque-dir/new1", "new1 (the only child after the opaque marker)\n")
    change.dir("file-becomes-dir", 0o755).file("file-becomes-dir/child.txt", "now a directory\n")
    change.file("dir-becomes-file", "I was a directory in layer 0\n", 0o644)
    change.file("usr/bin/tool", "#!/bin/sh\necho tool v2\n", 0o755)  # breaks the layer-0 hard link
    change.file("etc/app.conf", "key=value\n", 0o644, 1000, 1000)
    change.hardlink("opt/app/app.conf", "etc/app.conf")
    rootfs.add(change)

    rootfs.add(Layer("swdock build-fixtures: multilayer empty layer (a tar with no entries)"))

    last = Layer("swdock build-fixtures: multilayer last (re-add, whiteout a directory, chmod/chown by replace)")
    last.file("whiteout-me.txt", "back again in layer 3\n", 0o600, 123, 456)
    last.whiteout("to-be-whiteout")
    last.file("data/owned-1000", "replaced in layer 3, now 0:0 0644\n", 0o644)
    last.dir("brand-new-dir").opaque("brand-new-dir").file("brand-new-dir/file", "new\n")
    rootfs.add(last)
    return rootfs


def platform_layer(platform_string):
    layer = Layer("swdock build-fixtures: platform marker " + platform_string)
    layer.file("etc/swdock-platform", platform_string + "\n")
    return layer


WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
         "quebec romeo sierra tango uniform victor whiskey xray yankee zulu function return const let var "
         "module exports require import from default class extends this null undefined true false").split()


def text(rng, size):
    out, n = [], 0
    while n < size:
        word = rng.choice(WORDS)
        out.append(word)
        n += len(word) + 1
    return (" ".join(out)[:size] + "\n").encode()


def bench_rootfs(binary):
    rootfs = Rootfs()
    base = busybox_layer(binary)
    base.comment = "swdock build-fixtures: bench base (busybox and a minbase-like /etc and /usr/share)"
    rng = random.Random("swdock-bench-base")
    for i in range(1200):
        base.file("usr/share/doc/pkg-%03d/file-%d.txt" % (i // 8, i % 8), text(rng, rng.randint(200, 6000)))
    for i in range(300):
        base.file("etc/conf.d/conf-%03d.conf" % i, text(rng, rng.randint(50, 800)))
    rootfs.add(base)

    lib = Layer("swdock build-fixtures: bench library tree (3 000 small files)")
    rng = random.Random("swdock-bench-lib")
    for i in range(3000):
        lib.file("usr/lib/pylib/pkg%02d/sub%02d/mod_%04d.py" % (i // 300, (i // 20) % 15, i), text(rng, rng.randint(300, 8000)))
    rootfs.add(lib)

    big = Layer("swdock build-fixtures: bench large random binaries (3 files, 90 MB)")
    for name, mib in (("blob-a.bin", 40), ("blob-b.bin", 30), ("blob-c.bin", 20)):
        big.file("opt/big/" + name, random.Random("swdock-bench-" + name).randbytes(mib << 20), 0o755)
    rootfs.add(big)

    modules = Layer("swdock build-fixtures: bench node_modules-like tree (16 000 tiny files)")
    rng = random.Random("swdock-bench-node-modules")
    for p in range(800):
        pkg = "app/node_modules/pkg-%03d" % p
        modules.file(pkg + "/package.json", '{"name":"pkg-%03d","version":"1.%d.0","main":"index.js"}\n' % (p, p % 7))
        modules.file(pkg + "/index.js", text(rng, rng.randint(40, 300)))
        modules.file(pkg + "/README.md", text(rng, rng.randint(40, 300)))
        modules.file(pkg + "/LICENSE", "MIT\n")
        for j in range(16):
            modules.file(pkg + "/lib/part-%02d.js" % j, text(rng, rng.randint(20, 200)))
    rootfs.add(modules)

    media = Layer("swdock build-fixtures: bench media-sized random files (24 MB)")
    rng = random.Random("swdock-bench-media")
    for i in range(4):
        media.file("srv/media/clip-%d.mp4" % i, rng.randbytes(5 << 20))
    for i in range(4):
        media.file("srv/media/thumb-%d.jpg" % i, rng.randbytes(1 << 20))
    rootfs.add(media)
    return rootfs


COMPRESSION_VARIANTS = [
    # tag, flavour, compression per layer, compression named by the media type (if different)
    ("oci-gzip", "oci", ["gzip"] * 3, None),
    ("oci-zstd", "oci", ["zstd"] * 3, None),
    ("oci-uncompressed", "oci", ["none"] * 3, None),
    ("oci-mixed", "oci", ["gzip", "zstd", "none"], None),
    ("docker-gzip", "docker", ["gzip"] * 3, None),
    ("docker-uncompressed", "docker", ["none"] * 3, None),
    ("docker-mixed", "docker", ["gzip", "none", "gzip"], None),
    ("mislabelled-zstd-as-gzip", "oci", ["zstd"] * 3, ["gzip"] * 3),
]


def compression_rootfs(binary):
    rootfs = Rootfs()
    base = busybox_layer(binary)
    base.comment = "swdock build-fixtures: compression base (busybox)"
    rootfs.add(base)
    rng = random.Random("swdock-compression")
    second = Layer("swdock build-fixtures: compression text files")
    second.file("etc/swdock-compression", "layers in several compressions\n")
    second.file("usr/share/words.txt", text(rng, 64 << 10))
    rootfs.add(second)
    third = Layer("swdock build-fixtures: compression random file")
    third.file("usr/share/random.bin", rng.randbytes(32 << 10), 0o600, 1000, 1000)
    rootfs.add(third)
    return rootfs


AMD64 = {"architecture": "amd64", "os": "linux"}
BUSYBOX_CONFIG = {"Env": [PATH_ENV], "Cmd": ["sh"]}


def build(out):
    with open(BUSYBOX, "rb") as f:
        binary = f.read()
    builder = Builder(out)

    # (a) busybox
    rootfs = Rootfs().add(busybox_layer(binary))
    layout = OCILayout(os.path.join(out, "busybox", "oci"))
    trees = builder.write_trees(rootfs, "busybox")
    manifest, image = builder.image(layout, rootfs, AMD64, BUSYBOX_CONFIG, ["gzip"], trees=trees)
    layout.tag(image["manifest"], "latest")
    layout.finish()
    builder.add_fixture("busybox", "image", [dict(tag="latest", source="oci:busybox/oci:latest", images=[image],
                                                  **image["manifest"])],
                        "one layer: /bin/busybox (Debian busybox-static) with all its applets as hard links")

    # (b) multilayer
    rootfs = multilayer_rootfs(binary)
    layout = OCILayout(os.path.join(out, "multilayer", "oci"))
    trees = builder.write_trees(rootfs, "multilayer")
    config = {"Env": [PATH_ENV, "SWDOCK_FIXTURE=multilayer"], "Cmd": ["/bin/sh"], "WorkingDir": "/data"}
    manifest, image = builder.image(layout, rootfs, AMD64, config, ["gzip"] * len(rootfs.layers), trees=trees,
                                    extra_history=[(2, {"created_by": "ENV SWDOCK_FIXTURE=multilayer"})])
    layout.tag(image["manifest"], "latest")
    layout.finish()
    builder.add_fixture("multilayer", "image", [dict(tag="latest", source="oci:multilayer/oci:latest", images=[image],
                                                     **image["manifest"])],
                        "whiteouts, opaque dirs, hard links, symlinks, xattrs, fifo, setuid, owners, empty layer, "
                        "type changes, deep and UTF-8 paths")

    # (c) multiplatform
    layout = OCILayout(os.path.join(out, "multiplatform", "oci"))
    base = Rootfs().add(busybox_layer(binary))
    images, index_manifests = [], []
    for platform, subdir in ((AMD64, "amd64"), ({"architecture": "arm64", "os": "linux", "variant": "v8"}, "arm64-v8")):
        label = "/".join([platform["os"], platform["architecture"]] + ([platform["variant"]] if "variant" in platform else []))
        rootfs = base.derive().add(platform_layer(label))
        trees = builder.write_trees(rootfs, "multiplatform/" + subdir)
        manifest, image = builder.image(layout, rootfs, platform, BUSYBOX_CONFIG, ["gzip", "gzip"], trees=trees)
        images.append(image)
        index_manifests.append(dict(image["manifest"], platform=platform))
    index_bytes = json_bytes({"schemaVersion": 2, "mediaType": MT_OCI_INDEX, "manifests": index_manifests})
    index = {"digest": layout.put(index_bytes), "mediaType": MT_OCI_INDEX, "size": len(index_bytes)}
    layout.tag(index, "latest")
    layout.finish()
    builder.add_fixture("multiplatform", "index",
                        [dict(tag="latest", source="oci:multiplatform/oci:latest", images=images, **index)],
                        "an OCI image index: linux/amd64 and linux/arm64/v8, told apart by /etc/swdock-platform "
                        "(both carry the amd64 busybox binary)")

    # (d) compression
    rootfs = compression_rootfs(binary)
    layout = OCILayout(os.path.join(out, "compression", "oci"))
    trees = builder.write_trees(rootfs, "compression")
    tags = []
    for tag, flavour, compressions, label_as in COMPRESSION_VARIANTS:
        if flavour == "oci":
            store, source = layout, "oci:compression/oci:" + tag
        else:
            store, source = DirCopy(os.path.join(out, "compression", "dir", tag)), "dir:compression/dir/" + tag
        manifest, image = builder.image(store, rootfs, AMD64, BUSYBOX_CONFIG, compressions, flavour=flavour,
                                        label_as=label_as, trees=trees)
        if flavour == "oci":
            layout.tag(image["manifest"], tag)
        entry = dict(tag=tag, source=source, images=[image], **image["manifest"])
        if label_as:
            entry["mislabelled"] = True
        tags.append(entry)
    layout.finish()
    builder.add_fixture("compression", "image", tags,
                        "one small image (same diffIDs and config) with layers gzip, zstd and uncompressed in OCI "
                        "and Docker schema2 media types; `mislabelled-zstd-as-gzip` has zstd bytes under tar+gzip")

    # (e) bench
    rootfs = bench_rootfs(binary)
    layout = OCILayout(os.path.join(out, "bench", "oci"))
    trees = builder.write_trees(rootfs, "bench")
    manifest, image = builder.image(layout, rootfs, AMD64, BUSYBOX_CONFIG, ["gzip"] * len(rootfs.layers), trees=trees)
    layout.tag(image["manifest"], "latest")
    layout.finish()
    builder.add_fixture("bench", "image", [dict(tag="latest", source="oci:bench/oci:latest", images=[image],
                                                **image["manifest"])],
                        "benchmark pull image: 5 layers, tiny-file trees and large random files")

    with open(os.path.join(out, "catalog.json"), "wb") as f:
        f.write(json.dumps({"version": FORMAT_VERSION, "fixtures": builder.catalog}, indent=1,
                           ensure_ascii=False).encode() + b"\n")


def input_stamp():
    h = hashlib.sha256()
    with open(os.path.abspath(__file__), "rb") as f:
        h.update(f.read())
    with open(BUSYBOX, "rb") as f:
        h.update(f.read())
    zstd_version = subprocess.run(["zstd", "--version"], stdout=subprocess.PIPE, check=True).stdout
    h.update(zstd_version)
    h.update(zlib.ZLIB_RUNTIME_VERSION.encode())
    return h.hexdigest() + "\n"


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 1 or any(a not in ("--force",) for a in argv[1:] if a.startswith("--")):
        sys.stderr.write("usage: build-fixtures.py OUTDIR [--force]\n")
        return 2
    out = os.path.abspath(args[0])
    stamp = input_stamp()
    stamp_path = os.path.join(out, "stamp")
    if "--force" not in argv and os.path.exists(stamp_path):
        with open(stamp_path) as f:
            if f.read() == stamp:
                print("fixtures up to date in " + out)
                return 0
    staging = out + ".building.%d" % os.getpid()
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    try:
        build(staging)
        with open(os.path.join(staging, "stamp"), "w") as f:
            f.write(stamp)
        shutil.rmtree(out, ignore_errors=True)
        os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    print("fixtures built in " + out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
