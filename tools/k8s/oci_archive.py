#!/usr/bin/env python3
"""Assembles a one-layer container image as a docker-archive tarball without Docker.

The output is the format `docker save` writes (Docker Image Specification v1.2: manifest.json,
an image config JSON named after its sha256, one uncompressed layer tar), which
`ctr images import` and `docker load` read. The layer holds a root filesystem directory
(--rootfs; /dev, /proc, /sys contents and /run are left out: the runtime mounts them) and/or
single files (--file SRC:DEST, mode 0755 for executables, owner root).

Numeric owners, modes, symlinks and hard links are kept as they are in the rootfs; file
timestamps are kept; entries are sorted, so the same rootfs gives the same layer digest.
--mtime EPOCH sets every entry's timestamp (layer and archive) to EPOCH, so the archive does not
depend on when its files were made: the same content gives the same bytes. --owner UID:GID sets
the owner of every rootfs entry, --owner REL=UID:GID that of one path (relative to the rootfs; the
later option wins), so a rootfs built without root can hold root-owned files.

Usage: oci_archive.py --tag REF --out FILE [--rootfs DIR] [--file SRC:DEST]... [--entrypoint ARG]...
                      [--cmd ARG]... [--env K=V]... [--user UID:GID] [--expose PORT/tcp] [--workdir DIR]
                      [--mtime EPOCH] [--owner [REL=]UID:GID]...
Errors (missing input, bad --file) exit 2 with a message on stderr.
"""

import argparse
import hashlib
import json
import os
import sys
import tarfile
import tempfile
import io

EXCLUDED_CONTENTS = ("dev", "proc", "sys", "run", "tmp")


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def owner_for(owners, rel):
    """The (uid, gid) the last matching --owner gives rel ("" is the rootfs itself), or None."""
    found = None
    for spec in owners:
        path, _, ids = spec.rpartition("=")
        if path == "" or path.strip("/") == rel:
            uid, gid = ids.split(":")
            found = (int(uid), int(gid))
    return found


def add_rootfs(tar, rootfs, mtime=None, owners=()):
    def visit(rel):
        full = os.path.join(rootfs, rel) if rel else rootfs
        info = tar.gettarinfo(full, arcname=rel if rel else ".")
        info.uname = info.gname = ""
        if mtime is not None:
            info.mtime = mtime
        owner = owner_for(owners, rel)
        if owner is not None:
            info.uid, info.gid = owner
        tar.addfile(info, open(full, "rb") if info.isreg() else None)
        if info.isdir() and not os.path.islink(full):
            if rel in EXCLUDED_CONTENTS:
                return
            for name in sorted(os.listdir(full)):
                visit(os.path.join(rel, name) if rel else name)

    visit("")


def add_file(tar, spec, mtime=None):
    if ":" not in spec:
        sys.exit(f"oci_archive.py: --file wants SRC:DEST, got {spec!r}")
    src, dest = spec.split(":", 1)
    if not os.path.isfile(src):
        sys.exit(f"oci_archive.py: --file source {src} is not a file")
    info = tar.gettarinfo(src, arcname=dest.lstrip("/"))
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o755
    if mtime is not None:
        info.mtime = mtime
    with open(src, "rb") as f:
        tar.addfile(info, f)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tag", required=True, help="image reference, e.g. localhost/pause:hangar")
    p.add_argument("--out", required=True)
    p.add_argument("--rootfs")
    p.add_argument("--file", action="append", default=[])
    p.add_argument("--entrypoint", action="append", default=[])
    p.add_argument("--cmd", action="append", default=[])
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--user", default="")
    p.add_argument("--expose", action="append", default=[])
    p.add_argument("--workdir", default="/")
    p.add_argument("--mtime", type=int)
    p.add_argument("--owner", action="append", default=[])
    a = p.parse_args()
    if not a.rootfs and not a.file:
        p.error("give --rootfs and/or --file")
    if a.rootfs and not os.path.isdir(a.rootfs):
        p.error(f"--rootfs {a.rootfs} is not a directory")

    out_dir = os.path.dirname(os.path.abspath(a.out))
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".oci-archive.") as tmp:
        layer = os.path.join(tmp, "layer.tar")
        with tarfile.open(layer, "w", format=tarfile.PAX_FORMAT) as tar:
            if a.rootfs:
                add_rootfs(tar, a.rootfs, a.mtime, a.owner)
            for spec in a.file:
                add_file(tar, spec, a.mtime)
        if a.mtime is not None:
            os.utime(layer, (a.mtime, a.mtime))
        diff_id = sha256_file(layer)
        env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] + a.env
        config = {
            "architecture": "amd64",
            "os": "linux",
            "config": {
                "Env": env,
                "Entrypoint": a.entrypoint or None,
                "Cmd": a.cmd or None,
                "WorkingDir": a.workdir,
                "User": a.user,
                "ExposedPorts": {port: {} for port in a.expose} or None,
            },
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff_id]},
            "history": [{"created_by": "tools/k8s/oci_archive.py"}],
        }
        config["config"] = {k: v for k, v in config["config"].items() if v is not None}
        config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
        config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
        manifest = [{"Config": config_name, "RepoTags": [a.tag], "Layers": [diff_id + "/layer.tar"]}]
        part = a.out + ".part"
        with tarfile.open(part, "w", format=tarfile.PAX_FORMAT) as out:
            def add_bytes(name, data):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mode = 0o644
                out.addfile(info, io.BytesIO(data))

            add_bytes(config_name, config_bytes)
            out.add(layer, arcname=diff_id + "/layer.tar")
            add_bytes("manifest.json", json.dumps(manifest).encode())
            add_bytes("repositories", json.dumps({a.tag.rsplit(":", 1)[0]: {a.tag.rsplit(":", 1)[1]: diff_id}}).encode())
        os.replace(part, a.out)


if __name__ == "__main__":
    main()
