package dev.hangar.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.SecretFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Copies the owner's secrets into a running workspace container's {@link
 * ContainerManifests#SECRETS_DIR} tmpfs (issue #15, item 7): one exec of {@code tar -x} inside the
 * container whose standard input is a tar stream of the files (mode 0400) built in memory. An exec
 * rather than the engine's archive API ({@code docker cp}): the exec runs in the container's mount
 * namespace, so the files land on the tmpfs; the archive API extracts from the daemon's view of the
 * container's filesystem, where a tmpfs mount is not seen and the files would land in the
 * container's writable layer, on disk. The script refuses ({@value #NOT_TMPFS}) unless {@code
 * /var/secrets} is a tmpfs mount, so a container created before secrets existed never gets them
 * written to disk (it gets the tmpfs when it is next re-created while stopped). Nothing is written
 * on the host; values are never logged. Thread-safe.
 */
final class SecretDelivery {
    /** The script's exit code when {@code /var/secrets} is not a tmpfs. */
    static final int NOT_TMPFS = 3;

    /**
     * Replaces the directory's content with the tar on standard input and gives it to the run-as
     * user ({@code $2}, {@code uid:gid}); the tmpfs is fresh after a start, and on an already running
     * container this makes it match the current secrets. Reads exactly {@code $1} bytes ({@code head
     * -c}) rather than up to the end of the input: the engine's attach does not pass on the end of
     * standard input, so {@code tar} alone would wait for it forever. Runs as root (the tmpfs belongs
     * to root until the {@code chown}).
     */
    static final String SCRIPT = "d=" + ContainerManifests.SECRETS_DIR
            + "; grep -qs \" $d tmpfs \" /proc/mounts || exit "
            + NOT_TMPFS + "; find \"$d\" -mindepth 1 -delete && head -c \"$1\" | tar -x --no-same-owner -f - -C \"$d\""
            + " && chown -R \"$2\" \"$d\" && chmod 0700 \"$d\"";

    private final DockerEngine engine;
    private final DockerClient docker;

    SecretDelivery(DockerEngine engine) {
        this.engine = engine;
        this.docker = engine.client();
    }

    /**
     * Delivers {@code files} into the running container; does nothing when there are none (a
     * started container's tmpfs is empty).
     *
     * @throws ProviderException (transient) when the exec fails or {@code tar} exits non-zero
     */
    void deliver(String containerId, List<SecretFile> files, long runAsUser, ProviderListener listener) {
        if (files.isEmpty()) return;
        byte[] tar = tar(files);
        try {
            String execId = docker.execCreateCmd(containerId)
                    .withUser("0:0")
                    .withCmd(
                            "sh",
                            "-c",
                            SCRIPT,
                            "hangar-secrets",
                            Integer.toString(tar.length),
                            runAsUser + ":" + runAsUser)
                    .withAttachStdin(true)
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .exec()
                    .getId();
            StringBuilder output = new StringBuilder();
            boolean finished = docker.execStartCmd(execId)
                    .withStdIn(new ByteArrayInputStream(tar))
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            synchronized (output) {
                                if (output.length() < 2000)
                                    output.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                            }
                        }
                    })
                    .awaitCompletion(60, TimeUnit.SECONDS);
            if (!finished) throw new ProviderException("copying secrets into the container did not end in 60 s", false);
            Long code = docker.inspectExecCmd(execId).exec().getExitCodeLong();
            if (code != null && code == NOT_TMPFS) {
                listener.event(
                        "secrets-skipped",
                        "not delivering secrets: " + ContainerManifests.SECRETS_DIR
                                + " is not a tmpfs in this container (made before secrets existed); stop and start"
                                + " the workspace to re-create it");
                return;
            }
            if (code == null || code != 0)
                throw new ProviderException(
                        "copying secrets into the container failed (exit " + code + "): "
                                + output.toString().strip(),
                        false);
            listener.event(
                    "secrets-delivered",
                    files.size() + " secret(s) at " + ContainerManifests.SECRETS_DIR + ": "
                            + String.join(
                                    ", ", files.stream().map(SecretFile::name).toList()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("copying secrets interrupted", false, e);
        } catch (ProviderException e) {
            throw e;
        } catch (RuntimeException e) {
            throw engine.translate("copy secrets", e);
        } finally {
            java.util.Arrays.fill(tar, (byte) 0);
        }
    }

    /** @return a tar stream of {@code files}, each a regular file of mode 0400 at the top level */
    static byte[] tar(List<SecretFile> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (SecretFile f : files) {
                byte[] value = f.value();
                TarArchiveEntry e = new TarArchiveEntry(f.name());
                e.setMode(0100400);
                e.setSize(value.length);
                tar.putArchiveEntry(e);
                tar.write(value);
                tar.closeArchiveEntry();
                java.util.Arrays.fill(value, (byte) 0);
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
