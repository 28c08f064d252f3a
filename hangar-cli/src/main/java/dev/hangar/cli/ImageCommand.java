package dev.hangar.cli;

import dev.hangar.api.ImageView;
import dev.hangar.api.client.HangarClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar image list|pull|import|delete}: the images of the server's providers, each shown
 * with the provider it belongs to (qemu's VM base images, the container engine's images for
 * docker); {@code hangar image load}: a container image onto the cluster's nodes.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "image",
        aliases = "images",
        description = "List, pull, import and delete images on the server: VM base images (provider qemu, kept"
                + " under $HANGAR_HOME) and the container engine's images (provider docker); load container"
                + " images onto the cluster's nodes.",
        subcommands = {
            ImageCommand.ListImages.class,
            ImageCommand.PullImage.class,
            ImageCommand.ImportImage.class,
            ImageCommand.DeleteImage.class,
            ImageLoadCommand.class
        })
final class ImageCommand {

    /** {@code hangar image list}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "list",
            aliases = "ls",
            description = "List every provider's images with their state: qemu's catalog and cached images, the"
                    + " container engine's images.")
    static final class ListImages implements Callable<Integer> {
        private final CliContext ctx;

        @Mixin
        OutputOption output;

        ListImages(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                List<ImageView> list = client.images().list();
                if (output.machineReadable()) output.write(ctx.out(), list);
                else if (list.isEmpty())
                    ctx.err().println("No images (are the qemu and docker providers off on the server?).");
                else {
                    int width = Math.max(
                            24,
                            list.stream().mapToInt(i -> i.name().length()).max().orElse(0));
                    String row = "%-" + width + "s %-8s %-10s %10s  %s%n";
                    ctx.out().printf(row, "NAME", "PROVIDER", "STATE", "SIZE", "DESCRIPTION");
                    for (ImageView i : list) {
                        ctx.out()
                                .printf(
                                        row,
                                        i.name(),
                                        i.provider() == null ? "-" : i.provider(),
                                        i.state(),
                                        i.virtualSizeBytes() > 0 ? gib(i.virtualSizeBytes()) : "-",
                                        // A failed pull's cause (and its offline remedy) is what a user needs here.
                                        i.error().isEmpty() ? i.description() : "failed: " + i.error());
                    }
                }
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar image pull NAME}: starts the download on the server and shows its progress. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "pull",
            description = "Download a catalog image on the server (verified against its checksum); waits and"
                    + " shows progress.")
    static final class PullImage implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME", description = "Catalog image name, e.g. debian-12.")
        String name;

        @Option(
                names = "--timeout",
                defaultValue = "2h",
                paramLabel = "DURATION",
                description = "Give up waiting after this long (default: ${DEFAULT-VALUE}); the download"
                        + " continues on the server.")
        String timeout;

        @Option(names = "--no-wait", description = "Start the download and return at once.")
        boolean noWait;

        PullImage(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            Duration limit = Durations.parse(timeout, "--timeout");
            try (HangarClient client = ServerConnection.open(ctx)) {
                ImageView v = client.images().pull(name);
                Instant deadline = ctx.clock().instant().plus(limit);
                boolean bar = ctx.terminal().interactive();
                while (v.state().equals("pulling") && !noWait) {
                    if (bar) {
                        ctx.err().print("\r" + progress(v));
                        ctx.err().flush();
                    }
                    if (!ctx.clock().instant().isBefore(deadline)) {
                        throw new CliException(
                                ExitCodes.ERROR,
                                "timed out after " + limit.toSeconds() + "s waiting for image " + name
                                        + "; the download continues on the server ('hangar image list')");
                    }
                    try {
                        Thread.sleep(ctx.pollInterval().toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CliException(ExitCodes.ERROR, "interrupted while waiting for image " + name);
                    }
                    v = client.images().get(name);
                }
                if (bar) ctx.err().println();
                if (v.state().equals("failed")) {
                    throw new CliException(ExitCodes.ERROR, "pulling image " + name + " failed: " + v.error());
                }
                ctx.out().println("image " + name + ": " + v.state());
                return ExitCodes.OK;
            }
        }

        static String progress(ImageView v) {
            int width = 30;
            if (v.bytesTotal() <= 0) return String.format(Locale.ROOT, "pulling %s: %s", v.name(), mib(v.bytesDone()));
            int filled = (int) Math.min(width, width * v.bytesDone() / v.bytesTotal());
            return String.format(
                    Locale.ROOT,
                    "pulling %s [%s%s] %3d%% %s / %s",
                    v.name(),
                    "#".repeat(filled),
                    " ".repeat(width - filled),
                    100 * v.bytesDone() / v.bytesTotal(),
                    mib(v.bytesDone()),
                    mib(v.bytesTotal()));
        }
    }

    /** {@code hangar image import FILE --name N [--provider P]}: for offline hosts; FILE is on the server host. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "import",
            description = "Provider qemu: copy a disk image (qcow2, or raw with a partition table or filesystem) or"
                    + " a kernel-boot directory (vmlinuz, initrd.img, root.raw) into the server's image cache."
                    + " Provider docker: import a root filesystem tarball (tar or tar.gz) into the container engine"
                    + " as image NAME (repository[:tag]). Anything else is refused (exit 6). The path is read ON THE"
                    + " SERVER HOST; admins only.")
    static final class ImportImage implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "FILE", description = "Image file or kernel-boot directory.")
        Path file;

        @Option(
                names = "--name",
                required = true,
                paramLabel = "NAME",
                description =
                        "Name to cache it under, e.g. debian-12 (qemu) or localhost/hangar/workspace:v1" + " (docker).")
        String name;

        @Option(
                names = "--provider",
                paramLabel = "PROVIDER",
                description = "Which provider's images: qemu or docker. Needed when the server has both.")
        String provider;

        ImportImage(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                ImageView v = client.images()
                        .importFromServerPath(file.toAbsolutePath().normalize().toString(), name, provider);
                ctx.out()
                        .println("image " + v.name() + " (" + v.provider() + "): " + v.state() + " ("
                                + gib(v.virtualSizeBytes()) + ")");
                return ExitCodes.OK;
            }
        }
    }

    /** {@code hangar image delete NAME}: refused while workspace disks use the image. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "delete",
            aliases = "rm",
            description = "Remove a cached image from the server (a catalog image can be pulled again). Refused"
                    + " (exit 5) while workspaces' disks still use it; the message names them. Admins only.")
    static final class DeleteImage implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "NAME", description = "Cached image name, e.g. debian-12.")
        String name;

        DeleteImage(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                client.images().delete(name);
                ctx.out().println("image " + name + ": deleted");
                return ExitCodes.OK;
            }
        }
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1L << 20));
    }
}
