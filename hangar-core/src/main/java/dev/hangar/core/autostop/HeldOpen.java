package dev.hangar.core.autostop;

/**
 * A source of activity that lasts while something is held open (an attached console, a USB
 * attachment): while it holds a workspace, that workspace is active. Implementations must be
 * thread-safe and answer quickly; the auto-stop sweep asks once per running workspace per sweep.
 */
@FunctionalInterface
public interface HeldOpen {
    /** @return whether something holds the workspace with this id open right now */
    boolean holds(String workspaceId);
}
