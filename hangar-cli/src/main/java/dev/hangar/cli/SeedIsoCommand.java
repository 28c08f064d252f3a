package dev.hangar.cli;

import dev.hangar.nocloud.NoCloudFiles;
import dev.hangar.nocloud.NoCloudSeed;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar seed-iso DIR -o cidata.iso}: packs the NoCloud files of a directory into a CIDATA
 * ISO with the same writer the qemu provider uses for its VMs ({@link NoCloudSeed}). No server
 * needed.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "seed-iso",
        description = {
            "Pack a directory's cloud-init files into a CIDATA seed ISO.",
            "user-data, meta-data and (if present) network-config from DIR go into a NoCloud seed ISO",
            "(volume label CIDATA), e.g. for an Ubuntu autoinstall or any cloud image."
        })
final class SeedIsoCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "DIR", description = "Directory with user-data and meta-data.")
    Path dir;

    @Option(
            // -o as in genisoimage and cloud-localds (issue 13 spells the command so); not --output,
            // which is the -o table|json|yaml format option everywhere else (OutputOptionTest)
            names = {"-o", "--iso"},
            required = true,
            paramLabel = "FILE",
            description = "The ISO file to write (replaced if it exists).")
    Path iso;

    SeedIsoCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        NoCloudFiles files = LocalInput.check(() -> NoCloudFiles.read(dir));
        LocalInput.check(() -> {
            NoCloudSeed.write(iso, files);
            return iso;
        });
        ctx.out()
                .println("wrote " + iso + " (CIDATA: "
                        + String.join(", ", files.byName().keySet()) + ")");
        return ExitCodes.OK;
    }
}
