package dev.hangar.core.store;

import java.util.Objects;

/**
 * A position in the workspace listing order (owner, then name, both ascending by code point, as
 * {@link WorkspaceStore#list(WorkspaceFilter)} orders rows): a page starts strictly after it.
 * Keyset pagination, so a page costs the same at any depth and rows inserted or deleted meanwhile
 * neither repeat nor shift later pages.
 *
 * @param owner owner of the last row of the previous page; empty with {@code name} for {@link #START}
 * @param name name of the last row of the previous page
 */
public record WorkspaceCursor(String owner, String name) {
    /** Before the first row. */
    public static final WorkspaceCursor START = new WorkspaceCursor("", "");

    public WorkspaceCursor {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(name, "name");
    }

    /** @return the cursor just after {@code owner}/{@code name} */
    public static WorkspaceCursor after(String owner, String name) {
        return new WorkspaceCursor(owner, name);
    }

    /** @return whether this is {@link #START} */
    public boolean isStart() {
        return owner.isEmpty() && name.isEmpty();
    }
}
