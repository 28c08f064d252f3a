package dev.hangar.api;

/**
 * Optional body of {@code POST /api/v1/workspaces/{name}/stop}; without a body the stop shuts the
 * workspace down (or does what its template's {@code stop} setting says).
 *
 * @param suspend {@code true}: save the running workspace's memory and device state beside its disk
 *     and resume from it at the next start ({@code hangar stop --suspend}); refused (422, field
 *     {@code suspend}) for kinds that cannot suspend, naming those that can
 */
public record StopRequest(Boolean suspend) {
    /** An absent {@code suspend} (the body {@code {}}) is {@code false}. */
    public StopRequest {
        suspend = Boolean.TRUE.equals(suspend);
    }
}
