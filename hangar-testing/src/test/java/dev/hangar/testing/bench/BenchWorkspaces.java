package dev.hangar.testing.bench;

import dev.hangar.core.domain.DesiredState;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceParameters;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import java.time.Instant;

/** The workspace row the benchmarks seed their stores with. */
final class BenchWorkspaces {
    private BenchWorkspaces() {}

    /**
     * A Running workspace of the {@code fake} template and provider (1 CPU, 512 MiB, 1 GiB, image
     * {@code fake-image}), reachable at 127.0.0.1:22, created and updated at {@code now}, version 1.
     */
    static Workspace running(String id, String name, String owner, SshHostKey key, Instant now) {
        return new Workspace(
                id,
                new Workspace.Spec(
                        name,
                        owner,
                        "fake",
                        "fake",
                        new WorkspaceParameters(new Resources(1, 512, 1), "fake-image", ""),
                        key,
                        DesiredState.RUNNING),
                new Workspace.Status(Phase.Running, "", "127.0.0.1", 22, false, 0),
                now,
                now,
                1);
    }
}
