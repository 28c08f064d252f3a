"""Per-hop USB/IP latency from hops.sh's perf traces: python3 hops.py OUT PC_PORT WS_QEMU PC_QEMU JAVA WS_SSH.

For each hop "A's syscall on its endpoint ends -> B's next syscall on its endpoint ends" (the first
B event after each A event and before A's next one), the median and p90 over all messages, in us.
An endpoint is a process and the descriptors of one socket (socat's STDIO is fds 0 and 1)."""
import re
import statistics
import sys

out, pc_port, ws_qemu, pc_qemu, java = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
ws_ssh = sys.argv[6] if len(sys.argv) > 6 else ""
LINE = re.compile(r"^\s*([\d.]+) \(\s*(?:([\d.]+) ms)?\s*\): (.*?)/(\d+) +(.*)$")
# perf leaves out arguments that are 0: "read(buf: ...)" is a read of fd 0
CALL = re.compile(r"^(read|write|readv|writev|recvfrom|sendto|recvmsg|sendmsg)\((?:fd: (\d+))?")
CONT = re.compile(r"\[continued\]: (\w+)\(\)")
RESULT = re.compile(r"\)\s*= (\d+)\s*$")
USERS = re.compile(r'\("([^"]+)",pid=(\d+),fd=(\d+)\)')


def events(name):
    tasks = {}
    for line in open(f"{out}/{name}.tasks"):
        pid, tid = map(int, line.split())
        tasks[tid] = pid
    pending = {}  # tid -> fd of a syscall perf printed unfinished
    ev = []
    for line in open(f"{out}/{name}.perf"):
        m = LINE.match(line)
        if not m:
            continue
        ts, dur, tid, rest = float(m.group(1)), float(m.group(2) or 0), int(m.group(4)), m.group(5)
        if tid not in tasks:
            continue
        c = CALL.match(rest)
        if c:
            fd, call = int(c.group(2) or 0), c.group(1)
        else:
            k = CONT.search(rest)
            if not k or tid not in pending:
                continue
            fd, call = pending.pop(tid), k.group(1)
        r = RESULT.search(rest)
        if not r:
            if c and rest.rstrip().endswith("..."):
                pending[tid] = fd
            continue
        if int(r.group(1)) == 0:
            continue
        kind = "r" if call in ("read", "readv", "recvfrom", "recvmsg") else "w"
        ev.append((ts + dur, tasks[tid], fd, kind))
    return sorted(ev)


def norm(addr):
    """127.0.0.1:P for the JVM's [::ffff:127.0.0.1]:P too."""
    return addr.replace("[::ffff:", "").replace("]", "")


def sockets(name):
    """(pid, fds) per TCP local port and per unix inode, and the peers."""
    tcp = []
    for line in open(f"{out}/{name}.tcp"):
        f = line.split()
        if len(f) < 6:
            continue
        users = [(c, int(p), int(fd)) for c, p, fd in USERS.findall(line)]
        tcp.append((norm(f[3]), norm(f[4]), users))
    unix = []
    for line in open(f"{out}/{name}.unix"):
        f = line.split()
        if f[0] != "u_str":  # socat's own u_dgr socket pair is not on the path
            continue
        users = [(c, int(p), int(fd)) for c, p, fd in USERS.findall(line)]
        # Netid State Recv-Q Send-Q Local Port Peer Port users
        unix.append((f[4], f[5], f[7], users))
    return tcp, unix


def ep(users, pid):
    fds = frozenset(fd for _, p, fd in users if p == pid)
    return (pid, fds) if fds else None


def tcp_by(tcp, pred):
    return [t for t in tcp if pred(t)]


def hop(ev, a, ka, b, kb):
    """Delays (us) from each (a, ka) event to the first later (b, kb) event before a's next one."""
    d = []
    for i, (t, pid, fd, k) in enumerate(ev):
        if k != ka or pid != a[0] or fd not in a[1]:
            continue
        for t2, pid2, fd2, k2 in ev[i + 1 :]:
            if pid2 == a[0] and fd2 in a[1] and k2 == ka:
                break
            if k2 == kb and pid2 == b[0] and fd2 in b[1]:
                d.append((t2 - t) * 1000)
                break
    return d


def row(label, d):
    if not d:
        return f"| {label} | 0 | - | - |"
    d = sorted(d)
    return f"| {label} | {len(d)} | {statistics.median(d):.0f} | {d[int(len(d) * 0.9)]:.0f} |"


def port(addr):
    return addr.rsplit(":", 1)[1]


print("| hop | messages | median us | p90 us |")
print("|---|---|---|---|")
# direct: the ws's slirp connects to the host's 127.0.0.1:PC_PORT, the pc's hostfwd
ev = events("direct")
tcp, _ = sockets("direct")
wsd = next(ep(u, ws_qemu) for loc, peer, u in tcp if port(peer) == pc_port and ep(u, ws_qemu))
pcd = next(ep(u, pc_qemu) for loc, peer, u in tcp if port(loc) == pc_port and ep(u, pc_qemu))
print(row("direct: ws slirp write -> ws slirp read (whole round trip)", hop(ev, wsd, "w", wsd, "r")))
print(row("direct: ws slirp write -> pc slirp read", hop(ev, wsd, "w", pcd, "r")))
print(row("direct: pc slirp read -> pc slirp write (pc guest, usbipd, device)", hop(ev, pcd, "r", pcd, "w")))
print(row("direct: pc slirp write -> ws slirp read", hop(ev, pcd, "w", wsd, "r")))

ev = events("gateway")
tcp, unix = sockets("gateway")
ssh_u = next(t for t in tcp if port(t[1]) == pc_port and any(c == "ssh" for c, _, _ in t[2]))
ssh = next(p for c, p, _ in ssh_u[2] if c == "ssh")
s_u = ep(ssh_u[2], ssh)
ssh_g = next(t for t in tcp if ep(t[2], ssh) and port(t[1]) != pc_port)
s_g = ep(ssh_g[2], ssh)
j_t = next(ep(u, java) for loc, peer, u in tcp if peer == ssh_g[0] and ep(u, java))
pc = next(ep(u, pc_qemu) for loc, peer, u in tcp if port(loc) == pc_port and peer == ssh_u[0])
socat_tcp = next((t for t in tcp if any(c == "socat" for c, _, _ in t[2])), None)
if socat_tcp is not None:  # the socat relay: slirp -> socat -> unix socket -> the gateway
    socat = next(p for c, p, _ in socat_tcp[2] if c == "socat")
    so_g = ep(socat_tcp[2], socat)
    ws = next(ep(u, ws_qemu) for loc, peer, u in tcp if peer == socat_tcp[0] and ep(u, ws_qemu))
    so_unix = next(x for x in unix if ep(x[3], socat))
    so_u = ep(so_unix[3], socat)
    j_u = next(ep(x[3], java) for x in unix if x[1] == so_unix[2] or x[2] == so_unix[1] if ep(x[3], java))
    up = [
        ("ws slirp write -> socat read", ws, "w", so_g, "r"),
        ("socat read -> socat write (unix)", so_g, "r", so_u, "w"),
        ("socat write -> gateway JVM read (unix)", so_u, "w", j_u, "r"),
    ]
    down = [
        ("gateway JVM read -> JVM write (unix)", j_t, "r", j_u, "w"),
        ("JVM write -> socat read (unix)", j_u, "w", so_u, "r"),
        ("socat read -> socat write", so_u, "r", so_g, "w"),
        ("socat write -> ws slirp read", so_g, "w", ws, "r"),
    ]
else:  # fd passing: the gateway holds slirp's own socket (a TCP loopback pair with the ws's QEMU)
    # the pair is the JVM's TCP connection to the ws's QEMU that is not a relay to its sshd
    pair = next(
        (loc, peer, u)
        for loc, peer, u in tcp
        if ep(u, java) and port(peer) != ws_ssh and port(loc) != ws_ssh
        and any(ep(u2, ws_qemu) for loc2, peer2, u2 in tcp if loc2 == peer and peer2 == loc)
    )
    j_u = ep(pair[2], java)
    ws = next(ep(u, ws_qemu) for loc, peer, u in tcp if loc == pair[1] and peer == pair[0])
    up = [("ws slirp write -> gateway JVM read (slirp's socket)", ws, "w", j_u, "r")]
    down = [
        ("gateway JVM read -> JVM write (slirp's socket)", j_t, "r", j_u, "w"),
        ("JVM write -> ws slirp read", j_u, "w", ws, "r"),
    ]
chain = up + [
    ("gateway JVM read -> JVM write (to ssh)", j_u, "r", j_t, "w"),
    ("JVM write -> ssh read", j_t, "w", s_g, "r"),
    ("ssh read -> ssh write (to usbipd)", s_g, "r", s_u, "w"),
    ("ssh write -> pc slirp read", s_u, "w", pc, "r"),
    ("pc slirp read -> pc slirp write (pc guest, usbipd, device)", pc, "r", pc, "w"),
    ("pc slirp write -> ssh read", pc, "w", s_u, "r"),
    ("ssh read -> ssh write (to the gateway)", s_u, "r", s_g, "w"),
    ("ssh write -> gateway JVM read", s_g, "w", j_t, "r"),
] + down
print(row("gateway: ws slirp write -> ws slirp read (whole round trip)", hop(ev, ws, "w", ws, "r")))
for label, a, ka, b, kb in chain:
    print(row("gateway: " + label, hop(ev, a, ka, b, kb)))
for name in ("direct", "gateway"):
    print(name, open(f"{out}/{name}.guest").read().strip())
