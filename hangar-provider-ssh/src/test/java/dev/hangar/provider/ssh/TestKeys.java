package dev.hangar.provider.ssh;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Test helpers: real ed25519 keys from the real {@code ssh-keygen}, and workspace specs. */
public final class TestKeys {
    private TestKeys() {}

    /** Generates {@code dir/name} and {@code dir/name.pub} with ssh-keygen (openssh-client). */
    public static Path generate(Path dir, String name) throws IOException, InterruptedException {
        Path key = dir.resolve(name);
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", key.toString())
                .redirectErrorStream(true)
                .start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(
                    "ssh-keygen failed: " + new String(p.getInputStream().readAllBytes()));
        }
        return key;
    }

    /** @return the key pair at {@code key} as a pinned Hangar host key */
    public static SshHostKey hostKey(Path key) throws IOException {
        String[] pub = Files.readString(key.resolveSibling(key.getFileName() + ".pub"))
                .strip()
                .split(" ");
        return new SshHostKey(pub[0], Files.readString(key), pub[0] + " " + pub[1]);
    }

    /** The test CA (made by the real ssh-keygen), one per JVM; see {@link #certificate}. */
    private static Path ca;

    /**
     * @return the private key of this JVM's test host CA ({@code <path>.pub} beside it), generated
     *     once with ssh-keygen
     */
    public static synchronized Path ca() throws IOException, InterruptedException {
        if (ca == null) {
            Path dir = Files.createTempDirectory("hangar-test-ca-");
            dir.toFile().deleteOnExit();
            ca = generate(dir, "host_ca");
            ca.toFile().deleteOnExit();
            Path.of(ca + ".pub").toFile().deleteOnExit();
        }
        return ca;
    }

    /**
     * Signs {@code hostKey} with the real {@code ssh-keygen -s} as Hangar's core would: a host
     * certificate for {@code <name>.hangar} and {@code <name>.alice.hangar}, valid forever.
     *
     * @return the certificate line {@code ssh-ed25519-cert-v01@openssh.com AAAA...}
     */
    public static String certificate(SshHostKey hostKey, String name) {
        try {
            return certificate(hostKey, name, ca());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Like {@link #certificate(SshHostKey, String)}, signed by the CA whose private key is {@code ca}. */
    public static String certificate(SshHostKey hostKey, String name, Path ca) {
        try {
            Path dir = Files.createTempDirectory("hangar-test-cert-");
            Path pub = dir.resolve("host.pub");
            Files.writeString(pub, hostKey.publicKey() + "\n");
            Process p = new ProcessBuilder(
                            "ssh-keygen",
                            "-q",
                            "-s",
                            ca.toString(),
                            "-I",
                            "hangar:alice/" + name,
                            "-h",
                            "-n",
                            name + ".hangar," + name + ".alice.hangar",
                            pub.toString())
                    .redirectErrorStream(true)
                    .start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0)
                throw new IOException(
                        "ssh-keygen -s failed: " + new String(p.getInputStream().readAllBytes()));
            Path cert = dir.resolve("host-cert.pub");
            String line = Files.readString(cert).strip();
            Files.delete(cert);
            Files.delete(pub);
            Files.delete(dir);
            return line;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A spec for alice whose host certificate {@link #certificate} makes with the real ssh-keygen. */
    public static WorkspaceSpec spec(
            String id,
            String name,
            SshHostKey hostKey,
            List<String> authorizedKeys,
            Resources resources,
            String image,
            CloudInitConfig cloudInit) {
        return spec(id, name, hostKey, certificate(hostKey, name), authorizedKeys, resources, image, cloudInit);
    }

    public static WorkspaceSpec spec(
            String id,
            String name,
            SshHostKey hostKey,
            String hostCertificate,
            List<String> authorizedKeys,
            Resources resources,
            String image,
            CloudInitConfig cloudInit) {
        return new WorkspaceSpec(
                id,
                name,
                "alice",
                "debian-12",
                resources,
                image,
                "alice",
                authorizedKeys,
                hostKey,
                hostCertificate,
                cloudInit,
                Map.of());
    }
}
