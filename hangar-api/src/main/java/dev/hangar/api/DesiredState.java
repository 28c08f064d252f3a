package dev.hangar.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/** What the user asked a workspace to be; in JSON lower-case, e.g. {@code "running"}. */
public enum DesiredState {
    /** Running. */
    @JsonProperty("running")
    RUNNING,
    /** Stopped, keeping its disk. */
    @JsonProperty("stopped")
    STOPPED,
    /** Deleted with its disk. */
    @JsonProperty("deleted")
    DELETED;

    /** @return the JSON form, e.g. {@code running} */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
