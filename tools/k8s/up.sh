#!/usr/bin/env bash
# Brings up a real single-node Kubernetes 1.20.2 cluster inside a network namespace this script
# creates, for Hangar's real-cluster integration tests.
#
# Usage: up.sh STATE_DIR [IMAGE_TARBALL...]
#   STATE_DIR      absolute path; everything the cluster writes lives below it (etcd, certificates,
#                  containerd root and state, kubelet root, PersistentVolume directories, logs).
#                  If it holds a cluster from an earlier run, down.sh removes that first.
#   IMAGE_TARBALL  docker-archive/OCI tarballs imported into containerd's k8s.io namespace
#                  (`ctr -n k8s.io images import`); pods use them with imagePullPolicy: Never.
# Environment:
#   HANGAR_K8S_BIN   directory holding bin/ from build.sh (default: runs build.sh)
#   HANGAR_K8S_NET   first three octets of the /24 used for the veth pair (default 10.231.0):
#                    .1 is the host end, .2 the namespace end (node IP, API server address)
#   HANGAR_K8S_PVS   number of static hostPath PersistentVolumes to create (default 10)
#
# Output (stdout, one `key=value` per line; progress and errors go to stderr):
#   kubeconfig=STATE_DIR/kubeconfig   admin kubeconfig (bearer token, TLS verified against the
#                                     cluster CA), server https://<net>.2:6443 reachable from the host
#   netns=NAME  node-ip=ADDR  bin=DIR  ctr-address=SOCKET  kubectl=PATH
#
# Layout inside the namespace: etcd on 127.0.0.1:2379; kube-apiserver on :6443 (token auth, RBAC,
# Node authorizer); controller-manager and scheduler with their own tokens; containerd (own root,
# state and socket; overlayfs; runc v2; cgroupfs; pause image built from the same tree); kubelet
# on containerd with an x509-authenticated API; kube-proxy in iptables mode; CNI bridge
# 10.232.0.0/24 (containernetworking-plugins); Services in 10.233.0.0/16 (a /24 runs out at 254
# Services: the 1,000-workspace benchmark needs one per workspace). No default route: pods
# and daemons reach nothing but the namespace itself, the Service range (pods: a route through
# the bridge) and the host end of the veth.
# Storage: StorageClass `hangar-local` (default class, no provisioner, WaitForFirstConsumer) and
# HANGAR_K8S_PVS static PersistentVolumes (100Gi nominal, Retain) on directories under
# STATE_DIR/pv/. They are `local` volumes (a host directory plus node affinity) rather than
# `hostPath` ones because the kubelet applies the pod's fsGroup to local volumes, as it does to
# real disks, and never to hostPath: the workspace's non-root user could not write its home.
#
# Host needs: root (netns, mounts, containerd), network namespaces and veth (CONFIG_NET_NS,
# CONFIG_VETH), overlayfs (containerd's snapshotter), nf_tables/iptables in the kernel (kube-proxy,
# CNI masquerading), cgroup v1 or v2 with the cpu, memory and pids controllers mounted. Apt
# packages (installed by build.sh): etcd-server containerd runc containernetworking-plugins
# iptables conntrack openssl iproute2 util-linux. Each step that fails says which one and where
# its log is; on failure everything started so far is removed (down.sh).
#
# Daemons are started with `nsenter --net=/run/netns/NAME` (not `ip netns exec`, which remounts
# /sys and hides the cgroup v1 hierarchies the kubelet and runc need).
set -euo pipefail

here="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
log() { echo "k8s/up.sh: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

[[ $# -ge 1 ]] || die "usage: up.sh STATE_DIR [IMAGE_TARBALL...]"
state="${1%/}"
shift
[[ "$state" == /* ]] || die "STATE_DIR must be an absolute path, got '$state'"
[[ "$(id -u)" == 0 ]] || die "must run as root (network namespace, mounts, containerd); try: sudo $0"
for image in "$@"; do
    [[ -f "$image" ]] || die "image tarball $image does not exist"
done

start=$SECONDS
# A cluster left by an interrupted run in the same state directory is removed first.
"$here/down.sh" "$state" >&2 || die "could not remove the earlier cluster in $state"

bin="${HANGAR_K8S_BIN:-}"
[[ -n "$bin" ]] || bin="$("$here/build.sh")"
bin="$bin/bin"
for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl pause; do
    [[ -x "$bin/$b" ]] || die "$bin/$b is missing; run tools/k8s/build.sh"
done
for tool in etcd containerd containerd-shim-runc-v2 runc ctr iptables conntrack openssl ip nsenter setsid python3; do
    command -v "$tool" >/dev/null \
        || die "$tool not found; run tools/k8s/build.sh (it installs etcd-server containerd runc iptables conntrack openssl iproute2 util-linux) or apt-get install it"
done
[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback && -x /usr/lib/cni/portmap ]] \
    || die "CNI plugins missing in /usr/lib/cni; apt-get install -y containernetworking-plugins"
grep -qw overlay /proc/filesystems || die "the kernel has no overlayfs (containerd's snapshotter needs it)"
[[ -e /proc/self/ns/net ]] || die "the kernel has no network namespaces (CONFIG_NET_NS)"

net="${HANGAR_K8S_NET:-10.231.0}"
host_ip="$net.1"
node_ip="$net.2"
id="$(echo -n "$state" | sha256sum | cut -c1-6)"
ns="hangar-k8s-$id"
veth_host="hk8s-$id"
veth_ns="eth0"
node=hangar-node
pvs="${HANGAR_K8S_PVS:-10}"
if ip -4 -o addr show | grep -qF " inet $net." || ip -4 route show | grep -qE "^$net\.[0-9]+(/| )"; then
    die "$net.0/24 is already in use on this host (another cluster or network); set HANGAR_K8S_NET to a free /24 prefix"
fi

mkdir -p "$state"/{logs,pids,pki,etcd,kubelet,cni/net.d,containerd,pv}
chmod 0700 "$state" "$state/pki"
echo "$ns" >"$state/netns"
echo "$veth_host" >"$state/veth"
echo "$bin" >"$state/bin"

cleanup_on_error() {
    local rc=$?
    if ((rc != 0)); then
        log "bring-up failed (exit $rc); logs are in $state/logs; removing what was started"
        # Keep the logs for the caller: copy them out before down.sh removes the state directory.
        if [[ -d "$state/logs" ]]; then
            rm -rf "$state.failed-logs" && cp -r "$state/logs" "$state.failed-logs" \
                && log "logs kept in $state.failed-logs"
        fi
        "$here/down.sh" "$state" >&2 || true
    fi
}
trap cleanup_on_error EXIT

step() { log "[$((SECONDS - start)) s] $*"; }

step "network namespace $ns, veth $veth_host ($host_ip) <-> $veth_ns ($node_ip)"
ip netns add "$ns" || die "ip netns add $ns failed (no network namespace support, or not root?)"
ip link add "$veth_host" type veth peer name "$veth_ns" netns "$ns" || die "creating the veth pair failed (CONFIG_VETH?)"
ip addr add "$host_ip/24" dev "$veth_host"
ip link set "$veth_host" up
ip -n "$ns" addr add "$node_ip/24" dev "$veth_ns"
ip -n "$ns" link set "$veth_ns" up
ip -n "$ns" link set lo up
in_ns() { nsenter --net="/run/netns/$ns" -- "$@"; }
# Pod traffic is routed through the node's bridge; kube-proxy's NodePort/ClusterIP rules need
# forwarding and bridged traffic through iptables (br_netfilter is absent on module-less kernels:
# then only the bridge-internal hairpin case is affected).
in_ns sysctl -qw net.ipv4.ip_forward=1
in_ns sysctl -qw net.ipv4.conf.all.route_localnet=1 || true
[[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]] && in_ns sysctl -qw net.bridge.bridge-nf-call-iptables=1 || true

# Starts a daemon in the namespace, in its own session (so the caller's process group and
# terminal signals do not reach it), with its pid in pids/NAME.pid and its log in logs/NAME.log.
daemon() {
    local name="$1"
    shift
    nsenter --net="/run/netns/$ns" -- setsid "$@" </dev/null >"$state/logs/$name.log" 2>&1 &
    echo $! >"$state/pids/$name.pid"
}
# wait_for SECONDS NAME COMMAND...: polls COMMAND every 0.2 s; fails naming the daemon's log.
wait_for() {
    local limit="$1" name="$2"
    shift 2
    local deadline=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        if [[ -f "$state/pids/$name.pid" ]] && ! kill -0 "$(cat "$state/pids/$name.pid")" 2>/dev/null; then
            tail -n 30 "$state/logs/$name.log" >&2 || true
            die "$name exited during start-up; see $state/logs/$name.log (last lines above)"
        fi
        if ((SECONDS > deadline)); then
            tail -n 30 "$state/logs/$name.log" >&2 || true
            die "$name was not ready after $limit s; see $state/logs/$name.log (last lines above)"
        fi
        sleep 0.2
    done
}

step "certificates and tokens"
pki="$state/pki"
openssl_quiet() { openssl "$@" 2>>"$state/logs/openssl.log"; }
openssl_quiet req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=hangar-test-cluster-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" || die "openssl could not make the cluster CA; see $state/logs/openssl.log"
# sign NAME SUBJECT [SAN]: a key and a CA-signed certificate.
sign() {
    local name="$1" subject="$2" san="${3:-}" ext="$pki/$1.ext"
    {
        echo "basicConstraints=CA:FALSE"
        echo "keyUsage=critical,digitalSignature,keyEncipherment"
        if [[ -n "$san" ]]; then
            echo "extendedKeyUsage=serverAuth"
            echo "subjectAltName=$san"
        else
            echo "extendedKeyUsage=clientAuth"
        fi
    } >"$ext"
    openssl_quiet req -newkey rsa:2048 -nodes -subj "$subject" -keyout "$pki/$name.key" -out "$pki/$name.csr" \
        && openssl_quiet x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
            -days 2 -extfile "$ext" -out "$pki/$name.crt" \
        || die "openssl could not sign $name; see $state/logs/openssl.log"
}
sign apiserver "/CN=kube-apiserver" \
    "IP:$node_ip,IP:127.0.0.1,IP:10.233.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost"
sign kubelet "/CN=$node" "IP:$node_ip,DNS:$node"
# The API server's client certificate towards the kubelet (port-forward, exec, logs).
sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
openssl_quiet genrsa -out "$pki/sa.key" 2048 && openssl_quiet rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" \
    || die "openssl could not make the service-account key; see $state/logs/openssl.log"
token() { openssl rand -hex 24; }
admin_token="$(token)"
{
    echo "$admin_token,hangar-admin,1,\"system:masters\""
    echo "$(token),system:kube-controller-manager,2"
    echo "$(token),system:kube-scheduler,3"
    echo "$(token),system:node:$node,4,\"system:nodes\""
    echo "$(token),system:kube-proxy,5"
} >"$pki/tokens.csv"
chmod 0600 "$pki"/*.key "$pki/tokens.csv"
tok() { awk -F, -v u="$1" '$2 == u {print $1}' "$pki/tokens.csv"; }
# kubeconfig FILE USER SERVER
kubeconfig() {
    local b64
    b64="$(base64 -w0 <"$pki/ca.crt")"
    cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: hangar-test
  cluster:
    server: $3
    certificate-authority-data: $b64
users:
- name: $2
  user:
    token: $(tok "$2")
contexts:
- name: hangar-test
  context: {cluster: hangar-test, user: $2}
current-context: hangar-test
EOF
    chmod 0600 "$1"
}
api="https://$node_ip:6443"
kubeconfig "$state/kubeconfig" hangar-admin "$api"
kubeconfig "$pki/controller-manager.kubeconfig" system:kube-controller-manager "$api"
kubeconfig "$pki/scheduler.kubeconfig" system:kube-scheduler "$api"
kubeconfig "$pki/kubelet.kubeconfig" "system:node:$node" "$api"
kubeconfig "$pki/kube-proxy.kubeconfig" system:kube-proxy "$api"
kubectl() { "$bin/kubectl" --kubeconfig "$state/kubeconfig" "$@"; }

step "etcd"
daemon etcd etcd --name default --data-dir "$state/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster default=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381
wait_for 60 etcd in_ns curl -fsS http://127.0.0.1:2379/health

step "kube-apiserver"
daemon kube-apiserver "$bin/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 \
    --bind-address=0.0.0.0 --advertise-address="$node_ip" --secure-port=6443 --insecure-port=0 \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$pki/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-cluster-ip-range=10.233.0.0/16 --authorization-mode=Node,RBAC \
    --token-auth-file="$pki/tokens.csv" --allow-privileged=true --profiling=false \
    --cert-dir="$state/apiserver-certs"
wait_for 120 kube-apiserver kubectl get --raw /readyz

step "kube-controller-manager, kube-scheduler"
daemon kube-controller-manager "$bin/kube-controller-manager" \
    --kubeconfig="$pki/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$pki/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$pki/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --port=0 --leader-elect=false \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
    --use-service-account-credentials=true --controllers='*,-csrsigning,-bootstrapsigner,-tokencleaner' \
    --profiling=false
daemon kube-scheduler "$bin/kube-scheduler" --kubeconfig="$pki/scheduler.kubeconfig" \
    --authentication-kubeconfig="$pki/scheduler.kubeconfig" \
    --authorization-kubeconfig="$pki/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --port=0 --leader-elect=false --profiling=false

step "containerd"
# The sandbox image: the static pause binary as a one-layer image (no registry here).
images="$state/images"
mkdir -p "$images"
python3 "$here/oci_archive.py" --tag localhost/pause:hangar --entrypoint /pause \
    --file "$bin/pause:/pause" --out "$images/pause.tar" || die "could not assemble the pause image"
cd_root="$state/containerd"
sock="$cd_root/containerd.sock"
cat >"$cd_root/config.toml" <<EOF
version = 2
root = "$cd_root/root"
state = "$cd_root/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$cd_root/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/pause:hangar"
  # root here lacks CAP_SYS_RESOURCE: lowering oom_score_adj below the parent's fails otherwise.
  restrict_oom_score_adj = true
  # Pod network namespaces under the state dir instead of /var/run/netns: down.sh finds them all.
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$state/cni/net.d"
EOF
# Pods get a route to the Service range through the bridge (and still no default route): a server
# running in the cluster reaches the API server (the kubernetes Service) and other Services.
cat >"$state/cni/net.d/10-hangar.conflist" <<'EOF'
{
  "cniVersion": "0.4.0",
  "name": "hangar-pods",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "10.232.0.0/24", "gateway": "10.232.0.1"}]],
        "routes": [{"dst": "10.233.0.0/16"}],
        "dataDir": "STATE/cni/ipam"
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
sed -i "s|STATE|$state|" "$state/cni/net.d/10-hangar.conflist"
daemon containerd containerd --config "$cd_root/config.toml"
ctr_() { ctr --address "$sock" "$@"; }
wait_for 60 containerd ctr_ version
for image in "$images/pause.tar" "$@"; do
    step "importing $(basename "$image")"
    ctr_ -n k8s.io images import "$image" >&2 \
        || die "ctr images import $image failed (is it a docker-archive or OCI tarball?)"
done

step "kubelet"
cat >"$state/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $node_ip
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
tlsCertFile: $pki/kubelet.crt
tlsPrivateKeyFile: $pki/kubelet.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $pki/ca.crt}
# Only holders of a certificate from the cluster CA (the API server) get past authentication.
authorization: {mode: AlwaysAllow}
cgroupDriver: cgroupfs
# No QoS cgroup hierarchy and no node-allocatable enforcement: root here cannot write every
# cgroup knob the kubelet would (hybrid cgroup v1 in a Firecracker guest).
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
resolvConf: /etc/resolv.conf
evictionHard: {memory.available: "50Mi", nodefs.available: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
EOF
daemon kubelet "$bin/kubelet" --config="$state/kubelet/config.yaml" \
    --kubeconfig="$pki/kubelet.kubeconfig" --root-dir="$state/kubelet" --cert-dir="$pki" \
    --container-runtime=remote --container-runtime-endpoint="unix://$sock" \
    --node-ip="$node_ip" --hostname-override="$node" --v=1

step "kube-proxy"
daemon kube-proxy "$bin/kube-proxy" --kubeconfig="$pki/kube-proxy.kubeconfig" --proxy-mode=iptables \
    --hostname-override="$node" --cluster-cidr=10.232.0.0/24 --conntrack-max-per-core=0 \
    --metrics-bind-address=127.0.0.1:10249 --healthz-bind-address=127.0.0.1:10256 --profiling=false

step "waiting for node $node to be Ready"
node_ready() { [[ "$(kubectl get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" == True ]]; }
wait_for 180 kubelet node_ready

step "storage: StorageClass hangar-local and $pvs local PersistentVolumes"
{
    cat <<'EOF'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: hangar-local
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubernetes.io/no-provisioner
# Bind when a pod is scheduled, as for every local volume: with Immediate binding each claim that
# finds no free volume gets a ProvisioningFailed event every resync, which floods a 1,000-claim run.
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Retain
EOF
    for i in $(seq 1 "$pvs"); do
        mkdir -p "$state/pv/pv$i"
        cat <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: hangar-pv$i
  labels: {hangar.dev/test-volume: "true"}
spec:
  capacity: {storage: 100Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: hangar-local
  local: {path: $state/pv/pv$i}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [$node]}
EOF
    done
} >"$state/storage.yaml"
kubectl apply -f "$state/storage.yaml" >&2 || die "could not create the StorageClass and PersistentVolumes"
# The default ServiceAccount is created by the controller manager; pods (and kubectl
# --dry-run=server of Deployments) need it in the namespaces they use.
wait_for 60 kube-controller-manager kubectl -n default get serviceaccount default

trap - EXIT
step "cluster up"
echo "kubeconfig=$state/kubeconfig"
echo "netns=$ns"
echo "node-ip=$node_ip"
echo "bin=$bin"
echo "ctr-address=$sock"
echo "kubectl=$bin/kubectl"
echo "up-seconds=$((SECONDS - start))"
