package dev.hangar.provider.docker.devcontainer;

import dev.hangar.provider.spi.ProviderException;
import java.nio.file.Path;

/**
 * A devcontainer.json that Hangar cannot use: missing, not valid JSON (with comments and trailing
 * commas), a key of the wrong shape, or something refused (a feature from a registry, a bind mount
 * outside the folder). Always permanent: retrying the same file gives the same error. The message
 * starts with {@code FILE:LINE:COLUMN:} when the place is known.
 */
public final class DevcontainerException extends ProviderException {
    private final int line;
    private final int column;

    /**
     * @param file the devcontainer.json (or devcontainer-feature.json) the error is in
     * @param line 1-based line, or 0 when unknown
     * @param column 1-based column, or 0 when unknown
     */
    public DevcontainerException(Path file, int line, int column, String message) {
        super(file + (line > 0 ? ":" + line + ":" + column : "") + ": " + message, true);
        this.line = line;
        this.column = column;
    }

    /** @return the 1-based line of the error, 0 when unknown */
    public int line() {
        return line;
    }

    /** @return the 1-based column of the error, 0 when unknown */
    public int column() {
        return column;
    }
}
