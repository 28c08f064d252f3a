package dev.hangar.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.api.Json;
import dev.hangar.provider.spi.WorkspaceTerminal;
import java.util.Optional;

/**
 * The console WebSocket's one control message and its first size. A client tells the terminal's
 * size (in character cells) with a <b>text</b> message that is exactly the JSON object {@code
 * {"type":"resize","columns":C,"rows":R}} (1 to 1000 each); every other message, binary or text,
 * is input for the workspace as before. The first size comes as the query parameters {@code
 * columns} and {@code rows} of the upgrade request (80x24 when absent or out of range). A shell's
 * TTY takes the size (SIGWINCH); a serial console has none and drops it. Stateless; thread-safe.
 */
final class ConsoleResize {
    /** Longest text message looked at as a resize: anything longer is input. */
    private static final int MAX_LENGTH = 200;

    private ConsoleResize() {}

    /**
     * @param text a text message from the client
     * @return the size it asks for, or empty when it is not a resize message (it is input then)
     */
    static Optional<WorkspaceTerminal.Size> parse(String text) {
        String t = text.strip();
        if (t.length() > MAX_LENGTH || !t.startsWith("{") || !t.contains("\"resize\"")) return Optional.empty();
        try {
            JsonNode n = Json.mapper().readTree(t);
            if (n == null
                    || !n.isObject()
                    || n.size() != 3
                    || !"resize".equals(n.path("type").asText())
                    || !n.path("columns").isInt()
                    || !n.path("rows").isInt()) return Optional.empty();
            return size(n.path("columns").asInt(), n.path("rows").asInt());
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /**
     * @param columns the {@code columns} query parameter, possibly absent (null from the framework)
     * @param rows the {@code rows} query parameter
     * @return the first size: the parameters when both are integers 1..1000, else 80x24
     */
    static WorkspaceTerminal.Size initial(String columns, String rows) {
        try {
            if (columns != null && rows != null)
                return size(Integer.parseInt(columns.strip()), Integer.parseInt(rows.strip()))
                        .orElse(WorkspaceTerminal.Size.DEFAULT);
        } catch (NumberFormatException e) {
            // the default below
        }
        return WorkspaceTerminal.Size.DEFAULT;
    }

    private static Optional<WorkspaceTerminal.Size> size(int columns, int rows) {
        if (columns < 1 || columns > 1000 || rows < 1 || rows > 1000) return Optional.empty();
        return Optional.of(new WorkspaceTerminal.Size(columns, rows));
    }
}
