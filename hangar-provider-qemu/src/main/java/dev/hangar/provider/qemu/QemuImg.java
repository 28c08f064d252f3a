package dev.hangar.provider.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Runs {@code qemu-img} (apt package {@code qemu-utils}). Thread-safe. */
final class QemuImg {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private final Path binary;

    /**
     * @param binary the resolved {@code qemu-img} executable
     */
    QemuImg(Path binary) {
        this.binary = Objects.requireNonNull(binary, "binary");
    }

    /**
     * What {@code qemu-img info} says of a disk image.
     *
     * @param format the detected format, e.g. {@code qcow2} or {@code raw}
     * @param virtualSize the size the guest sees, in bytes
     * @param backingFile the backing file of an overlay, as recorded in it; empty for a standalone
     *     image
     */
    record Info(String format, long virtualSize, Optional<Path> backingFile) {
        Info(String format, long virtualSize) {
            this(format, virtualSize, Optional.empty());
        }
    }

    /**
     * Reads an image's format and virtual size. The format is probed from the file's header, so a
     * file whose header claims qcow2 but is damaged fails here.
     *
     * @throws IOException with qemu-img's message if the image cannot be read
     */
    Info info(Path image) throws IOException {
        // -U: do not take QEMU's image lock, so a base image in use by running VMs can be inspected.
        Command.Result r =
                Command.run(List.of(binary.toString(), "info", "-U", "--output=json", image.toString()), TIMEOUT);
        if (!r.ok()) throw new IOException("qemu-img info " + image + " failed: " + r.message());
        JsonNode json = new ObjectMapper().readTree(r.stdout());
        String backing = json.path("full-backing-filename")
                .asText(json.path("backing-filename").asText(""));
        return new Info(
                json.path("format").asText(),
                json.path("virtual-size").asLong(),
                backing.isEmpty() ? Optional.empty() : Optional.of(Path.of(backing)));
    }

    /**
     * Creates a qcow2 overlay whose backing file is {@code base} and whose virtual size is {@code
     * sizeBytes} (larger than the base grows the disk; the guest's cloud-init grows its filesystem).
     *
     * @throws IOException with qemu-img's message on failure
     */
    void createOverlay(Path overlay, Path base, String baseFormat, long sizeBytes) throws IOException {
        Command.Result r = Command.run(
                List.of(
                        binary.toString(),
                        "create",
                        "-q",
                        "-f",
                        "qcow2",
                        "-F",
                        baseFormat,
                        "-b",
                        base.toAbsolutePath().toString(),
                        overlay.toString(),
                        Long.toString(sizeBytes)),
                TIMEOUT);
        if (!r.ok()) throw new IOException("qemu-img create " + overlay + " failed: " + r.message());
    }

    /**
     * Grows an image to {@code sizeBytes}.
     *
     * @throws IOException with qemu-img's message on failure
     */
    void grow(Path image, long sizeBytes) throws IOException {
        Command.Result r = Command.run(
                List.of(binary.toString(), "resize", "-q", image.toString(), Long.toString(sizeBytes)), TIMEOUT);
        if (!r.ok()) throw new IOException("qemu-img resize " + image + " failed: " + r.message());
    }
}
