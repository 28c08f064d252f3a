package dev.hangar.testfixtures;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The workspace image's root filesystem as a tarball, for container engines to import (no registry
 * is reachable here): the layer of the docker-archive that {@code tools/k8s/workspace-image.sh}
 * builds once and caches under {@code ~/.cache/hangar-test}. The one copy for every container test.
 */
public final class WorkspaceRootfs {
    private WorkspaceRootfs() {}

    /**
     * Runs the script (returns at once when cached) and extracts the archive's layer.
     *
     * @param repo the repository's root directory
     * @param dir where {@code rootfs.tar} is written
     * @return {@code dir/rootfs.tar}
     * @throws IOException when the script fails or the layer cannot be extracted within 120 s
     */
    public static Path tarball(Path repo, Path dir) throws IOException, InterruptedException {
        HostCommands.Result r = HostCommands.run(
                List.of("bash", repo.resolve("tools/k8s/workspace-image.sh").toString()));
        if (r.exitCode() != 0) throw new IOException("tools/k8s/workspace-image.sh failed: " + r.output());
        Path archive = Path.of(r.output().strip().lines().toList().getLast()).resolve("image.tar");
        Path rootfs = dir.resolve("rootfs.tar");
        Process tar = new ProcessBuilder("tar", "-xOf", archive.toString(), "--wildcards", "*/layer.tar")
                .redirectOutput(rootfs.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        if (!tar.waitFor(120, TimeUnit.SECONDS) || tar.exitValue() != 0)
            throw new IOException("cannot extract the layer of " + archive);
        return rootfs;
    }
}
