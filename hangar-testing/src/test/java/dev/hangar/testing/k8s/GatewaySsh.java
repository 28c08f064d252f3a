package dev.hangar.testing.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** The real {@code ssh} client through a Hangar gateway, for the Kubernetes ITs (one copy). */
final class GatewaySsh {
    private GatewaySsh() {}

    /**
     * Runs {@code command} on {@code host} with the real {@code ssh} client and {@code sshConfig}
     * (written by {@code hangar config-ssh}: ProxyJump through the gateway, host keys pinned),
     * retrying for up to 3 min while ssh itself fails (exit 255): a pod is Ready when its TCP probe
     * connects, which can precede sshd's first accepted session by a moment. Any other exit status
     * fails the test.
     *
     * @param gateway how the failure message names the gateway, e.g. "the in-cluster gateway"
     * @return the command's stdout lines
     */
    static List<String> awaitSsh(Path sshConfig, String host, String command, String gateway) {
        AtomicReference<LocalCluster.Result> last = new AtomicReference<>();
        List<String> cmd = List.of(
                "ssh", "-F", sshConfig.toString(), "-o", "BatchMode=yes", "-o", "ConnectTimeout=30", host, command);
        try {
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> {
                        LocalCluster.Result r = LocalCluster.run(Duration.ofSeconds(90), cmd);
                        last.set(r);
                        return r.exitCode() != 255;
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            fail("ssh through " + gateway + " never succeeded; last attempt: "
                    + (last.get() == null ? "none" : last.get().output()));
        }
        assertThat(last.get().exitCode()).as(last.get().output()).isZero();
        return last.get().stdout().strip().lines().toList();
    }
}
