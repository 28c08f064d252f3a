package dev.hangar.cli;

import dev.hangar.boards.Board;
import dev.hangar.boards.BoardSeed;
import dev.hangar.boards.BootPartitionWriter;
import dev.hangar.boards.PartitionTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar board flash IMAGE.img... (--hostname H | --count N --hostname-pattern F) --user U
 * --key FILE ...}: writes each board's cloud-init files into the FAT boot partition of a raw
 * SD-card image, in place, without root or loop mounts ({@link BootPartitionWriter}).
 *
 * <p>Which image gets which board: one image and one board: that image. Several images: board
 * {@code i} goes into image {@code i} ({@code --count}, if given, must match). One image and
 * {@code --count N > 1}: the image is left as it is and copied to {@code IMAGE-001.img} ... (the
 * board numbers, {@code --first-number} on), each copy written for its board; an existing copy is
 * refused unless {@code --force}. Besides user-data, meta-data and network-config, an empty file
 * {@code ssh} is written: Raspberry Pi OS then enables sshd on first boot (Ubuntu ignores it).
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "flash",
        description = {
            "Write the boards' cloud-init files into SD-card images.",
            "user-data, meta-data and network-config go into the FAT boot partition of raw images",
            "(MBR or GPT), in place; no root, no loop mounts. Then write the image to the",
            "card as usual (dd, Raspberry Pi Imager's 'Use custom', balenaEtcher).",
            "One image with --count N > 1: copies IMAGE-001.img ... are written, the image stays as it is.",
            "Several images: one board each, in order."
        })
final class BoardFlashCommand implements Callable<Integer> {
    /** The file whose presence makes Raspberry Pi OS enable sshd at boot. */
    static final String SSH_MARKER = "ssh";

    private final CliContext ctx;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Raw SD-card image file(s), e.g. raspios.img.")
    List<Path> images;

    @Mixin
    BoardNames names;

    @Mixin
    BoardOptions options;

    @Option(names = "--force", description = "Overwrite existing copies IMAGE-NNN.img.")
    boolean force;

    BoardFlashCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        if (images.size() > 1 && names.count != null && names.count != images.size()) {
            throw LocalInput.usage("--count " + names.count + " but " + images.size()
                    + " images; give one image to copy, or one image per board");
        }
        List<String> hostnames = names.names(images.size());
        List<Board> boards = new ArrayList<>();
        for (int i = 0; i < hostnames.size(); i++) boards.add(BoardCommand.board(options, hostnames, i));
        List<Path> targets = targets(hostnames.size());
        for (int i = 0; i < boards.size(); i++) {
            Board board = boards.get(i);
            Path target = targets.get(i);
            Map<String, String> files =
                    new LinkedHashMap<>(BoardSeed.render(board).byName());
            files.put(SSH_MARKER, "");
            PartitionTable.Partition p = LocalInput.check(() -> BootPartitionWriter.write(target, files));
            ctx.out()
                    .println(target + ": " + board.hostname() + ": wrote " + String.join(", ", files.keySet())
                            + " to partition " + p.number() + " (FAT, at byte " + p.offset() + ")");
        }
        return ExitCodes.OK;
    }

    /** @return the image each board is written to; makes the copies of one image for a set */
    private List<Path> targets(int boards) {
        for (Path image : images) {
            if (!Files.isRegularFile(image)) {
                throw new CliException(ExitCodes.BAD_INPUT, image + ": no such image file");
            }
        }
        if (images.size() > 1 || boards == 1) return images;
        Path image = images.getFirst();
        String file = image.getFileName().toString();
        int dot = file.lastIndexOf('.');
        String stem = dot > 0 ? file.substring(0, dot) : file;
        String ext = dot > 0 ? file.substring(dot) : "";
        List<Path> copies = new ArrayList<>();
        for (int i = 0; i < boards; i++) {
            Path copy = image.resolveSibling(String.format(Locale.ROOT, "%s-%03d%s", stem, names.first + i, ext));
            if (Files.exists(copy) && !force) {
                throw new CliException(ExitCodes.CONFLICT, copy + " exists; delete it or pass --force to overwrite it");
            }
            copies.add(copy);
        }
        for (Path copy : copies) {
            LocalInput.check(() -> Files.copy(image, copy, StandardCopyOption.REPLACE_EXISTING));
        }
        return copies;
    }
}
