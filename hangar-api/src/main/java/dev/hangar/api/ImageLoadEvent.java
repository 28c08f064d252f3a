package dev.hangar.api;

import java.util.List;

/**
 * One line of the NDJSON answer of {@code POST /api/v1/admin/image-loads} ({@code hangar image
 * load}).
 *
 * @param type {@code archive} (the first line: what the upload holds) or {@code node} (one step of
 *     one node's load)
 * @param node the node's name; empty for {@code archive}
 * @param phase for {@code node}: {@code starting}, {@code uploading}, {@code verifying}, {@code
 *     importing}, then one of {@code done}, {@code skipped} (every image was there with the same
 *     digest) or {@code failed}; empty for {@code archive}
 * @param bytesDone archive bytes on the node so far; for {@code archive} its size
 * @param bytesTotal the archive's size in bytes
 * @param elapsedMillis milliseconds since the node's load began
 * @param message for {@code failed} why and what to do; for {@code archive} its format and SHA-256;
 *     otherwise a short note, often empty
 * @param images for {@code archive}: each image as {@code NAME@CONFIG-DIGEST}; empty otherwise
 */
public record ImageLoadEvent(
        String type,
        String node,
        String phase,
        long bytesDone,
        long bytesTotal,
        long elapsedMillis,
        String message,
        List<String> images) {
    public ImageLoadEvent {
        images = images == null ? List.of() : List.copyOf(images);
        type = type == null ? "" : type;
        node = node == null ? "" : node;
        phase = phase == null ? "" : phase;
        message = message == null ? "" : message;
    }

    /** @return true for a node's last line: {@code done}, {@code skipped} or {@code failed} */
    public boolean last() {
        return phase.equals("done") || phase.equals("skipped") || phase.equals("failed");
    }
}
