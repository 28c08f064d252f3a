package dev.hangar.cli;

import dev.hangar.api.ImageLoadEvent;
import dev.hangar.api.client.HangarClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar image load ARCHIVE.tar [--node N]...}: uploads a container image archive to the server,
 * which puts it into the container runtime of every node (or the named ones) through short-lived
 * loader Pods, and shows each node's progress. One line per step and node on stderr (uploads every
 * 25 %); on stdout one result line per node. Exit 0 when every node has the images, 1 when a node
 * failed.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "load",
        description = "Put a container image (docker save / podman save / ctr export archive, or"
                + " bin/server-image's image.tar) into the container runtime of the cluster's nodes, without a"
                + " registry; Pod templates then use it with imagePullPolicy IfNotPresent. A node that has the"
                + " same image already is skipped. Admins only, and only where the server's image-load.enabled"
                + " is true.")
final class ImageLoadCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "ARCHIVE", description = "The image archive (a tar file) on this machine.")
    Path archive;

    @Option(
            names = "--node",
            paramLabel = "NODE",
            description = "Load onto this node only (repeatable); default: every node.")
    List<String> nodes = new ArrayList<>();

    ImageLoadCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (!Files.isRegularFile(archive))
            throw new CliException(ExitCodes.USAGE, "no file " + archive + ": give the image archive (a tar file)");
        Map<String, ImageLoadEvent> last = new LinkedHashMap<>();
        Map<String, Long> shownQuarter = new LinkedHashMap<>();
        try (HangarClient client = ServerConnection.open(ctx)) {
            client.images().load(archive, nodes, e -> {
                if (e.type().equals("archive")) {
                    ctx.err()
                            .println("archive " + archive.getFileName() + ": " + mib(e.bytesTotal()) + ", "
                                    + e.message());
                    e.images().forEach(i -> ctx.err().println("  " + i));
                    return;
                }
                last.put(e.node(), e);
                // Copy progress a quarter at a time; a message (the copy fell back to a slower way) always.
                if (e.phase().equals("uploading") && e.message().isEmpty()) {
                    long quarter = e.bytesTotal() <= 0 ? 4 : 4 * e.bytesDone() / e.bytesTotal();
                    if (shownQuarter.getOrDefault(e.node(), -1L) >= quarter) return;
                    shownQuarter.put(e.node(), quarter);
                }
                ctx.err().println(line(e));
            });
        }
        int failed = 0;
        for (ImageLoadEvent e : last.values()) {
            ctx.out().println(result(e));
            if (!e.phase().equals("done") && !e.phase().equals("skipped")) failed++;
        }
        if (failed > 0)
            throw new CliException(
                    ExitCodes.ERROR, failed + " of " + last.size() + " node(s) did not get the image (see above)");
        return ExitCodes.OK;
    }

    static String line(ImageLoadEvent e) {
        String progress = e.phase().equals("uploading")
                ? String.format(Locale.ROOT, " %s / %s", mib(e.bytesDone()), mib(e.bytesTotal()))
                : "";
        return "node " + e.node() + ": " + e.phase() + progress
                + (e.message().isEmpty() ? "" : " (" + e.message() + ")");
    }

    static String result(ImageLoadEvent e) {
        String time = String.format(Locale.ROOT, "%.1f s", e.elapsedMillis() / 1000.0);
        return switch (e.phase()) {
            case "done" -> "node " + e.node() + ": loaded in " + time + " (" + rate(e) + ")";
            case "skipped" -> "node " + e.node() + ": skipped, already present";
            case "failed" -> "node " + e.node() + ": failed: " + e.message();
            default -> "node " + e.node() + ": ended while " + e.phase();
        };
    }

    private static String rate(ImageLoadEvent e) {
        return e.elapsedMillis() <= 0
                ? mib(e.bytesTotal())
                : String.format(
                        Locale.ROOT,
                        "%s, %.1f MiB/s",
                        mib(e.bytesTotal()),
                        e.bytesTotal() / (double) (1 << 20) / (e.elapsedMillis() / 1000.0));
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
