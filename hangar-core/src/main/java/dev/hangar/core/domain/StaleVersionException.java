package dev.hangar.core.domain;

/** An update carried a version that is no longer the stored one; re-read and try again. */
public class StaleVersionException extends ConflictException {
    private static final long serialVersionUID = 1L;

    public StaleVersionException(String workspaceId, long expected) {
        super("", "workspace " + workspaceId + " changed since version " + expected + "; re-read it and try again");
    }
}
