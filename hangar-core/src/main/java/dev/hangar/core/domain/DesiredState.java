package dev.hangar.core.domain;

/** What the user asked a workspace to be. The API only ever writes this; the reconciler acts on it. */
public enum DesiredState {
    RUNNING,
    STOPPED,
    DELETED;

    /** @return the lower-case wire form used in the API and the store, e.g. {@code running} */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * @throws IllegalArgumentException naming the allowed values when {@code s} is none of them
     */
    public static DesiredState fromWire(String s) {
        for (DesiredState d : values()) if (d.wire().equals(s)) return d;
        throw new IllegalArgumentException("desired state must be one of running, stopped, deleted; got '" + s + "'");
    }
}
