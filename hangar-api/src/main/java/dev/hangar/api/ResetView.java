package dev.hangar.api;

/**
 * One recorded reset request, as {@code POST /workspaces/{name}/reset} and {@code POST
 * /labs/{name}/reset} answer (202): the reconciler then stops the workspace, puts it back to a fresh
 * disk from its base image and starts it again if it should run.
 *
 * @param workspace the workspace's name
 * @param owner its owner
 * @param generation the requested reset generation (1 for the first reset of the workspace); the
 *     workspace's events say {@code reset completed (generation N)} when it is done
 */
public record ResetView(String workspace, String owner, long generation) {}
