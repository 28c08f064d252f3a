#!/usr/bin/env python3
"""The prototype behind ADR 0020 (issue #18 item 1), plain QEMU, no Hangar code: two VMs of the
test image (2 vCPUs, 1 GiB, TCG, NoCloud seed with linger), one with anonymous RAM and a full
migration to a file (ADR 0011), one with its RAM in a memory-backend-file (share=on) and the
x-ignore-shared capability on both sides. Both boot at once; then, for each PAUSE, CYCLES rounds of
suspending both, waiting PAUSE s (both suspended) and resuming each (the order alternates), timed:
the suspend (migrate, fsyncs), QEMU + QMP, the load, to `cont`, to the first ssh (polled every
0.1 s). Then the running cost: the same file churn (64 MiB files written and removed for 60 s) in
both guests at once, QEMU's write_bytes and the host's nr_written, then 30 s idle; and what a
kill -9 of the file-backed QEMU leaves.

usage: bench/qemu/ram-file-probe.py IMAGE_DIR WORKDIR CYCLES PAUSE [PAUSE...]
e.g.   flock /work/heavy.lock /work/bin/measure bench/qemu/ram-file-probe.py "$(tools/test-image/build.sh | tail -1)" \
         "$(mktemp -d)" 3 1 30     (about 6 minutes)
"""
import json, os, socket, subprocess, sys, time

img, work, cycles = sys.argv[1], sys.argv[2], int(sys.argv[3])
pauses = [float(p) for p in sys.argv[4:]]
os.makedirs(work, exist_ok=True)
os.chmod(work, 0o700)


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=True, **kw)


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def log(*a):
    print(time.strftime("%H:%M:%S", time.gmtime()), *a, flush=True)


sh(f"ssh-keygen -q -t ed25519 -N '' -f {work}/id -C probe")
sh(f"ssh-keygen -q -t ed25519 -N '' -f {work}/host -C host")
pub = open(f"{work}/id.pub").read().strip()
host, hostpub = open(f"{work}/host").read(), open(f"{work}/host.pub").read().strip()
with open(f"{work}/meta-data", "w") as f:
    f.write("instance-id: probe-1\nlocal-hostname: probe\n")
with open(f"{work}/user-data", "w") as f:
    f.write("#cloud-config\nusers:\n  - name: bench\n    sudo: ALL=(ALL) NOPASSWD:ALL\n    shell: /bin/bash\n")
    f.write(f"    ssh_authorized_keys: [\"{pub}\"]\nssh_deletekeys: true\nssh_keys:\n  ed25519_private: |\n")
    f.write("".join("    " + l + "\n" for l in host.strip().splitlines()))
    f.write(f"  ed25519_public: {hostpub}\nruncmd:\n  - [loginctl, enable-linger, bench]\n")
sh(f"genisoimage -quiet -output {work}/seed.iso -volid cidata -joliet -rock {work}/user-data {work}/meta-data")


class Qmp:
    def __init__(self, path):
        deadline = time.time() + 10
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX); self.s.connect(path); break
            except OSError:
                if time.time() > deadline: raise
                time.sleep(0.01)
        self.f = self.s.makefile("rwb")
        self.events = []
        self.f.readline()
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}).encode() + b"\n"); self.f.flush()
        while True:
            m = json.loads(self.f.readline())
            if "event" in m: self.events.append(m); continue
            if "error" in m: raise RuntimeError(f"{name}: {m['error']}")
            return m["return"]

    def await_migration(self, states=("completed", "failed", "cancelled")):
        while True:
            for e in self.events:
                if e["event"] == "MIGRATION" and e["data"]["status"] in states:
                    self.events.clear(); return e["data"]["status"]
            self.events.clear()
            m = json.loads(self.f.readline())
            if "event" in m: self.events.append(m)

    def close(self):
        self.s.close()


class Vm:
    def __init__(self, name, file_ram):
        self.name, self.file_ram = name, file_ram
        self.dir = f"{work}/{name}"; os.makedirs(self.dir)
        self.port = free_port()
        self.ram = f"{self.dir}/vm.ram"
        self.state = f"{self.dir}/vm.state"
        sh(f"qemu-img create -q -f qcow2 -F raw -b {img}/root.raw {self.dir}/disk.qcow2 16G")
        with open(f"{self.dir}/known_hosts", "w") as f:
            f.write(f"[127.0.0.1]:{self.port} {' '.join(hostpub.split()[:2])}\n")
        self.proc = None

    def argv(self, incoming):
        mem = ["-m", "1024M"]
        machine = "q35"
        if self.file_ram:
            mem += ["-object", f"memory-backend-file,id=ram0,size=1024M,mem-path={self.ram},share=on"]
            machine = "q35,memory-backend=ram0"
        a = ["qemu-system-x86_64", "-machine", machine, "-accel", "tcg", "-smp", "2", *mem,
             "-nodefaults", "-no-user-config", "-display", "none",
             "-kernel", f"{img}/vmlinuz", "-initrd", f"{img}/initrd.img",
             "-append", open(f"{img}/cmdline").read().strip(),
             "-drive", f"file={self.dir}/disk.qcow2,if=virtio,format=qcow2,cache=writeback,discard=unmap",
             "-drive", f"file={work}/seed.iso,if=virtio,format=raw,readonly=on",
             "-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{self.port}-:22", "-device", "virtio-net-pci,netdev=n0",
             "-serial", f"file:{self.dir}/serial.log", "-device", "virtio-rng-pci",
             "-qmp", f"unix:{self.dir}/qmp.sock,server=on,wait=off"]
        if incoming: a += ["-incoming", "defer"]
        return a

    def launch(self, incoming=False):
        if os.path.exists(f"{self.dir}/qmp.sock"): os.unlink(f"{self.dir}/qmp.sock")
        self.proc = subprocess.Popen(self.argv(incoming), stdout=open(f"{self.dir}/qemu.log", "a"), stderr=subprocess.STDOUT)

    def ssh(self, command="true", timeout=3):
        return subprocess.run(["ssh", "-q", "-i", f"{work}/id", "-p", str(self.port),
                               "-o", f"UserKnownHostsFile={self.dir}/known_hosts", "-o", "StrictHostKeyChecking=yes",
                               "-o", "BatchMode=yes", "-o", f"ConnectTimeout={timeout}", "bench@127.0.0.1", command],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True)

    def wait_ssh(self, limit=600):
        deadline = time.time() + limit
        while self.ssh().returncode != 0:
            if self.proc.poll() is not None: raise RuntimeError(f"{self.name}: qemu exited")
            if time.time() > deadline: raise RuntimeError(f"{self.name}: no ssh")
            time.sleep(0.1)

    def suspend(self):
        t0 = time.time()
        q = Qmp(f"{self.dir}/qmp.sock")
        q.cmd("stop")
        caps = [{"capability": "events", "state": True}]
        if self.file_ram: caps.append({"capability": "x-ignore-shared", "state": True})
        q.cmd("migrate-set-capabilities", capabilities=caps)
        q.cmd("migrate-set-parameters", **{"max-bandwidth": 1 << 40})
        q.cmd("migrate", uri=f"exec:cat > {self.state}")
        st = q.await_migration()
        assert st == "completed", st
        t1 = time.time()
        fd = os.open(self.state, os.O_RDONLY); os.fsync(fd); os.close(fd)
        t2 = time.time()
        fsync_ram = 0.0
        if self.file_ram:
            # the RAM file must be durable before the state (the commit point) is
            fd = os.open(self.ram, os.O_RDONLY); os.fsync(fd); os.close(fd)
            fsync_ram = time.time() - t2
        q.cmd("quit"); q.close(); self.proc.wait()
        t3 = time.time()
        return {"migrate": t1 - t0, "fsync_state": t2 - t1, "fsync_ram": fsync_ram, "suspend": t3 - t0,
                "state_bytes": os.path.getsize(self.state)}

    def resume(self):
        t0 = time.time()
        self.launch(incoming=True)
        q = Qmp(f"{self.dir}/qmp.sock")
        t1 = time.time()
        caps = [{"capability": "events", "state": True}]
        if self.file_ram: caps.append({"capability": "x-ignore-shared", "state": True})
        q.cmd("migrate-set-capabilities", capabilities=caps)
        q.cmd("migrate-incoming", uri=f"exec:cat {self.state}")
        st = q.await_migration()
        assert st == "completed", st
        t2 = time.time()
        q.cmd("cont"); q.close()
        t3 = time.time()
        self.wait_ssh(60)
        t4 = time.time()
        return {"qemu+qmp": t1 - t0, "load": t2 - t1, "to_cont": t3 - t0, "to_ssh": t4 - t0}

    def io(self):
        d = dict(l.split(": ") for l in open(f"/proc/{self.proc.pid}/io").read().splitlines())
        return int(d["write_bytes"])


def vmstat(key):
    for l in open("/proc/vmstat"):
        k, v = l.split()
        if k == key: return int(v)


def du(p):
    return os.stat(p).st_blocks * 512 if os.path.exists(p) else 0


log("uptime:", subprocess.run("uptime", capture_output=True, text=True).stdout.strip())
vms = [Vm("anon", False), Vm("file", True)]
import atexit
atexit.register(lambda: [v.proc.kill() for v in vms if v.proc and v.proc.poll() is None])
t0 = time.time()
for v in vms: v.launch()
for v in vms: v.wait_ssh(); log(f"{v.name}: first boot to ssh {time.time() - t0:.1f} s (both booting at once)")
log(f"file: RAM file apparent {os.path.getsize(vms[1].ram) >> 20} MiB, allocated {du(vms[1].ram) >> 20} MiB after boot")
time.sleep(12)  # the guests idle, as the bench's RESUME_IDLE

results = []
for pause in pauses:
    for c in range(cycles):
        order = vms if c % 2 == 0 else vms[::-1]
        sus = {}
        for v in order: sus[v.name] = v.suspend()
        time.sleep(pause)
        for v in order:
            r = v.resume()
            r.update(sus[v.name])
            results.append((pause, c + 1, v.name, r))
            log(f"pause {pause:>4.0f} s cycle {c + 1} {v.name:4s}: "
                + " ".join(f"{k} {val:.3f}" if isinstance(val, float) else f"{k} {val >> 20} MiB" for k, val in r.items()))
        time.sleep(3)

print("\nmedians (seconds):")
for pause in pauses:
    for name in ("anon", "file"):
        rs = [r for p, c, n, r in results if p == pause and n == name]
        med = lambda k: sorted(r[k] for r in rs)[len(rs) // 2]
        print(f"pause {pause:>4.0f} s {name:4s}: load {med('load'):.3f} to_cont {med('to_cont'):.3f} "
              f"to_ssh {med('to_ssh'):.3f} suspend {med('suspend'):.3f} (migrate {med('migrate'):.3f}, "
              f"fsync ram {med('fsync_ram'):.3f}) state {med('state_bytes') / 2**20:.1f} MiB")

# Running cost: the same file churn in both guests at once for 60 s; host-side bytes dirtied per QEMU
# (/proc/PID/io write_bytes counts a page each time it turns dirty, mmap'ed RAM file included) and
# the host's pages written back (/proc/vmstat nr_written).
churn = "end=$((SECONDS+60)); n=0; while ((SECONDS < end)); do dd if=/dev/urandom of=/tmp/churn bs=1M count=64 status=none; rm /tmp/churn; n=$((n+1)); done; echo $n"
w0 = {v.name: v.io() for v in vms}; nw0 = vmstat("nr_written"); t = time.time()
ps = [subprocess.Popen(["ssh", "-q", "-i", f"{work}/id", "-p", str(v.port), "-o", f"UserKnownHostsFile={v.dir}/known_hosts",
                        "-o", "BatchMode=yes", "bench@127.0.0.1", churn], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True) for v in vms]
outs = [p.communicate()[0].strip() for p in ps]
time.sleep(35)  # past dirty_expire (30 s): what the kernel wrote back of it
for v, o in zip(vms, outs):
    log(f"churn {v.name}: {o} x 64 MiB written in the guest in 60 s; host write_bytes of QEMU "
        f"{(v.io() - w0[v.name]) >> 20} MiB")
log(f"host nr_written during churn + 35 s: {(vmstat('nr_written') - nw0) * 4096 >> 20} MiB; "
    f"RAM file allocated {du(vms[1].ram) >> 20} MiB")
# idle writeback: 30 s of idle guests
w0 = {v.name: v.io() for v in vms}; nw0 = vmstat("nr_written")
time.sleep(30)
log("idle 30 s: " + ", ".join(f"{v.name} write_bytes {(v.io() - w0[v.name]) >> 20} MiB" for v in vms)
    + f"; host nr_written {(vmstat('nr_written') - nw0) * 4096 >> 20} MiB")
# kill -9: what is left
vms[1].proc.kill(); vms[1].proc.wait()
log(f"file VM killed -9: left {sorted(os.listdir(vms[1].dir))}, RAM file allocated {du(vms[1].ram) >> 20} MiB")
vms[0].proc.kill(); vms[0].proc.wait()
log("uptime:", subprocess.run("uptime", capture_output=True, text=True).stdout.strip())
