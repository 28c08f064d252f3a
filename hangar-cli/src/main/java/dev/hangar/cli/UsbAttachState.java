package dev.hangar.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The record a running {@code hangar usb attach} keeps in {@code $HANGAR_HOME/usb/WS@BUSID.json}, so
 * that {@code hangar usb detach WS BUSID} in another terminal can find it. Written atomically
 * (temp file + rename) whenever the attach changes, deleted when it ends.
 *
 * <p>Detach protocol (no signals, so it works the same on every OS and in-process): detach creates
 * {@code WS@BUSID.stop}; the attach loop sees it within one poll, undoes everything and deletes
 * both files; detach waits for the state file to vanish. If the recorded process is gone (crash,
 * kill -9) detach does the workspace side itself over a fresh SSH session.
 *
 * @param pid process id of the attach
 * @param workspace workspace name
 * @param owner owner ({@code --owner}); empty for the caller
 * @param busid bus id on the PC
 * @param vidPid the device's VID:PID
 * @param usbipd the usbipd address as given
 * @param tunnelPort the forward's port inside the workspace; 0 while not connected
 * @param vhciPort the workspace's vhci port of the import; -1 while not attached
 */
record UsbAttachState(
        long pid,
        String workspace,
        String owner,
        String busid,
        String vidPid,
        String usbipd,
        int tunnelPort,
        int vhciPort) {
    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    UsbAttachState with(int tunnel, int vhci) {
        return new UsbAttachState(pid, workspace, owner, busid, vidPid, usbipd, tunnel, vhci);
    }

    /** @return {@code $HANGAR_HOME/usb} */
    static Path dir(CliContext ctx) {
        return ctx.hangarHome().resolve("usb");
    }

    /** @return the state file of that attachment */
    static Path file(CliContext ctx, String workspace, String busid) {
        return dir(ctx).resolve(workspace + "@" + busid + ".json");
    }

    /** @return the stop request file of that attachment */
    static Path stopFile(CliContext ctx, String workspace, String busid) {
        return dir(ctx).resolve(workspace + "@" + busid + ".stop");
    }

    void write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), this);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static Optional<UsbAttachState> read(Path file) {
        try {
            return Optional.of(JSON.readValue(file.toFile(), UsbAttachState.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** @return true if the recorded attach process still runs */
    boolean running() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
