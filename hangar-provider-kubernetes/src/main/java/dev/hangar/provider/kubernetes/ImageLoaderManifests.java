package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.NodeImages;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The short-lived loader Pod of {@code hangar image load} on one node (pure; docs/adr/0015): pinned
 * to the node by {@code spec.nodeName} (no scheduler, every taint tolerated), running the configured
 * loader image as root with no capabilities, a read-only root file system and no service account
 * token; it only sleeps, and {@link NodeLoad} drives it through {@code pods/exec} (one exec starts
 * the {@link #RECEIVER} that {@link LoaderPortForward} sends the archive to). Mounts: an
 * emptyDir at {@value #LOAD_DIR} for the archive, the node's {@code ctr} binary (hostPath, type
 * File) at {@value #CTR} and its containerd socket (hostPath, type Socket) at {@value #SOCKET};
 * the hostPath types make a missing binary or socket a clear {@code FailedMount} event rather than
 * an empty mount. {@code activeDeadlineSeconds} ends a Pod that a crashed server left behind.
 */
final class ImageLoaderManifests {
    /** The label every loader Pod carries (value {@value #ROLE}); the sweep selects by it. */
    static final String ROLE_LABEL = "hangar.dev/role";

    static final String ROLE = "image-loader";
    /** The load a Pod belongs to. */
    static final String LOAD_LABEL = "hangar.dev/image-load";

    static final String NODE_ANNOTATION = "hangar.dev/node";
    static final String CONTAINER = "loader";
    static final String LOAD_DIR = "/load";
    static final String CTR = "/hangar/ctr";
    static final String SOCKET = "/hangar/containerd.sock";
    /** The Pod's loopback port {@link #RECEIVER} listens on (the Pod's own network namespace). */
    static final int RECEIVER_PORT = 7070;

    private ImageLoaderManifests() {}

    /**
     * @param loadId identifies one load ({@link #LOAD_LABEL}); a DNS-1123 label of at most 12 characters
     * @param deadlineSeconds how long the Pod may live at most
     */
    static Pod pod(NodeImages.Settings settings, String node, String loadId, long deadlineSeconds) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(podName(node, loadId))
                .withNamespace(settings.namespace())
                .withLabels(Map.of("app.kubernetes.io/managed-by", "hangar", ROLE_LABEL, ROLE, LOAD_LABEL, loadId))
                .withAnnotations(Map.of(NODE_ANNOTATION, node))
                .endMetadata()
                .withNewSpec()
                .withNodeName(node)
                .withRestartPolicy("Never")
                .withActiveDeadlineSeconds(deadlineSeconds)
                .withTerminationGracePeriodSeconds(0L)
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .addNewToleration()
                .withOperator("Exists")
                .endToleration()
                .addNewContainer()
                .withName(CONTAINER)
                .withImage(settings.loaderImage())
                .withImagePullPolicy("IfNotPresent")
                // The image's own entrypoint (sshd, a server) must not run: the Pod only waits for execs.
                .withCommand("sleep", Long.toString(deadlineSeconds))
                .withArgs(List.of())
                .withNewSecurityContext()
                // The containerd socket is root's (0660 root:root): the owner check passes without any
                // capability, so root with none is enough.
                .withRunAsUser(0L)
                .withRunAsNonRoot(false)
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("10m"), "memory", new Quantity("32Mi")))
                .withLimits(Map.of("memory", new Quantity("512Mi")))
                .endResources()
                .addNewVolumeMount()
                .withName("load")
                .withMountPath(LOAD_DIR)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("ctr")
                .withMountPath(CTR)
                .withReadOnly(true)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("containerd")
                .withMountPath(SOCKET)
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("load")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .addNewVolume()
                .withName("ctr")
                .withNewHostPath()
                .withPath(settings.ctrPath())
                .withType("File")
                .endHostPath()
                .endVolume()
                .addNewVolume()
                .withName("containerd")
                .withNewHostPath()
                .withPath(settings.containerdSocket())
                .withType("Socket")
                .endHostPath()
                .endVolume()
                .endSpec()
                .build();
    }

    /**
     * @return {@code hangar-image-load-<12 hex of the node name's sha256>-<loadId>}: node names can be
     *     253 characters, Pod names that are also hostnames only 63
     */
    static String podName(String node, String loadId) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(node.getBytes(StandardCharsets.UTF_8));
            return "hangar-image-load-" + HexFormat.of().formatHex(hash, 0, 6) + "-" + loadId;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * The one script every exec runs ({@code sh -c SCRIPT hangar-image-load OP ARG...}); each {@code
     * OP} is idempotent:
     *
     * <ul>
     *   <li>{@code probe}: exit 10 when {@code ctr} cannot run in this image (missing C library), 11
     *       when containerd does not answer on the socket, with its output
     *   <li>{@code present REF...}: for each REF that {@code ctr images check} reports complete and
     *       unpacked, a line {@code ==> REF} and the manifest it points at
     *   <li>{@code append OFFSET BASE64}: cut the file to OFFSET, append the decoded argument, print
     *       the new size (the bytes travel in the command, not on stdin: see {@link LoaderExec})
     *   <li>{@code sha256}: the file's SHA-256
     *   <li>{@code import REF...}: {@code ctr images import}, then remove the file; on failure also
     *       remove those of the names that are not complete and unpacked, so none points at a
     *       half-imported image while an older complete one stays (exit 12 with ctr's output)
     * </ul>
     */
    static final String SCRIPT = """
            set -eu
            exec 2>&1
            f=%1$s/image.tar
            c() { %2$s --address %3$s --namespace k8s.io "$@"; }
            op=$1; shift
            case "$op" in
            probe)
              out=$(c version 2>&1) && exit 0
              if [ $? -ge 126 ]; then echo "$out" | tail -n 3; exit 10; fi
              echo "$out" | tail -n 3; exit 11 ;;
            present)
              ready=$(c images check -q)
              for r in "$@"; do
                if printf '%%s\\n' "$ready" | grep -qxF "$r"; then
                  d=$(c images ls "name==$r" | awk 'NR == 2 {print $3}')
                  echo "==> $r"
                  c content get "$d"
                  echo
                fi
              done ;;
            append)
              [ -e "$f" ] || : > "$f"
              truncate -s "$1" "$f"
              printf '%%s' "$2" | base64 -d >> "$f"
              stat -c %%s "$f" ;;
            serve)
              command -v perl > /dev/null || { echo "the loader image has no perl"; exit 13; }
              exec perl -e "$1" "$f" %4$s ;;
            size)
              if [ -e "$f" ]; then stat -c %%s "$f"; else echo 0; fi ;;
            sha256)
              sha256sum "$f" | cut -d ' ' -f 1 ;;
            import)
              if ! out=$(c images import "$f" 2>&1); then
                ready=$(c images check -q) || ready=
                for r in "$@"; do
                  printf '%%s\\n' "$ready" | grep -qxF "$r" || c images rm "$r" > /dev/null 2>&1 || true
                done
                echo "$out" | tail -n 5; exit 12
              fi
              rm -f "$f" ;;
            *) echo "unknown operation $op"; exit 2 ;;
            esac
            """.formatted(LOAD_DIR, CTR, SOCKET, RECEIVER_PORT);

    /**
     * The receiver behind the port-forward ({@link LoaderPortForward}), a Perl program (Debian's
     * {@code perl-base} is Essential, so every Debian-based image has it; the {@code serve}
     * operation exits 13 when the image has none). Arguments: the file and the port. It listens on
     * {@code 127.0.0.1} only (reachable through the API server's port-forward, not from other
     * Pods), then forks: the parent prints {@code listening} and exits, so the exec ends once the
     * port is open; the child serves one connection at a time until the Pod ends. Per connection:
     * the header {@code OFFSET LENGTH}; when OFFSET is not beyond the file's end it cuts the file
     * there and appends up to LENGTH bytes; then it answers the file's size as one line. A
     * connection silent for 60 s is dropped. The header is read byte by byte: a buffered readline
     * would swallow archive bytes that the following sysread then never sees. The program travels
     * in the exec request's URL beside {@link #SCRIPT} (about 12 KiB URL-encoded), so it carries no
     * comments and its lines lose their indentation (Perl is free-form and the program has no
     * multi-line strings): the fabric8 mock server of the unit tests refused the handshake when
     * the header loop made the URL a few hundred bytes longer.
     */
    static final String RECEIVER =
            """
            use strict;
            use IO::Socket::INET;
            my ($file, $port) = @ARGV;
            my $l = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $port, Listen => 1, ReuseAddr => 1)
                or die "cannot listen on 127.0.0.1:$port: $!\\n";
            defined(my $pid = fork) or die "fork: $!\\n";
            if ($pid) { print "listening\\n"; exit 0 }
            open STDIN, "<", "/dev/null";
            open STDOUT, ">", "/dev/null";
            open STDERR, ">&", \\*STDOUT;
            while (my $c = $l->accept) {
                eval {
                    local $SIG{ALRM} = sub { die "idle\\n" };
                    alarm 60;
                    my $h = "";
                    while ($h !~ /\\n\\z/) {
                        sysread($c, my $b, 1) or die "no header\\n";
                        $h .= $b;
                        length($h) < 64 or die "bad header\\n";
                    }
                    my $size = -s $file || 0;
                    if ($h =~ /^(\\d+) (\\d+)\\n\\z/ && $1 <= $size) {
                        my ($off, $len) = ($1, $2);
                        open(my $f, -e $file ? "+<" : "+>", $file) or die "open: $!\\n";
                        binmode $f;
                        truncate($f, $off) or die "truncate: $!\\n";
                        sysseek($f, $off, 0) or die "seek: $!\\n";
                        while ($len > 0) {
                            my $n = sysread($c, my $buf, $len < 1048576 ? $len : 1048576);
                            last unless $n;
                            syswrite($f, $buf) == $n or die "write: $!\\n";
                            $len -= $n;
                            alarm 60;
                        }
                        close $f or die "close: $!\\n";
                        $size = -s $file;
                    }
                    alarm 0;
                    print $c "$size\\n";
                };
                close $c;
            }
            """.lines().map(String::strip).collect(java.util.stream.Collectors.joining("\n", "", "\n"));

    /** @return the exec command of {@code op} with its arguments */
    static List<String> command(String op, List<String> args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("sh", "-c", SCRIPT, "hangar-image-load", op));
        cmd.addAll(args);
        return cmd;
    }
}
