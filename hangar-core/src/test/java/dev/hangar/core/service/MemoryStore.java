package dev.hangar.core.service;

import dev.hangar.core.domain.ApiToken;
import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.UserSshKey;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.store.EventStore;
import dev.hangar.core.store.Store;
import dev.hangar.core.store.UserStore;
import dev.hangar.core.store.WorkspaceCursor;
import dev.hangar.core.store.WorkspaceFilter;
import dev.hangar.core.store.WorkspaceStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Just enough of a {@link Store} in memory for the service tests: workspaces by id with the
 * (owner, name) uniqueness rule, events in a list, users without keys. No real transactions; what
 * the tests do not need throws {@link UnsupportedOperationException}.
 */
final class MemoryStore implements Store, WorkspaceStore, EventStore {
    private final Users users = new Users();
    final Map<String, Workspace> workspaces = new ConcurrentHashMap<>();
    final List<WorkspaceEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public WorkspaceStore workspaces() {
        return this;
    }

    @Override
    public EventStore events() {
        return this;
    }

    @Override
    public UserStore users() {
        return users;
    }

    @Override
    public <T> T inTransaction(Function<Store, T> work) {
        synchronized (this) {
            return work.apply(this);
        }
    }

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public boolean ping() {
        return true;
    }

    @Override
    public void close() {}

    @Override
    public Workspace insert(Workspace w) {
        if (findByName(w.owner(), w.name()).isPresent())
            throw new ConflictException(
                    "name", "user '" + w.owner() + "' already has a workspace named '" + w.name() + "'");
        workspaces.put(w.id(), w);
        return w;
    }

    @Override
    public Optional<Workspace> find(String id) {
        return Optional.ofNullable(workspaces.get(id));
    }

    @Override
    public Optional<Workspace> findByName(String owner, String name) {
        return workspaces.values().stream()
                .filter(w -> w.owner().equals(owner) && w.name().equals(name))
                .findFirst();
    }

    @Override
    public List<Workspace> list(WorkspaceFilter filter, WorkspaceCursor after, int limit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Map<Phase, Long> countByPhase() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Workspace update(Workspace w) {
        workspaces.put(w.id(), w);
        return w;
    }

    @Override
    public boolean delete(String id, long version) {
        return workspaces.remove(id) != null;
    }

    @Override
    public long count() {
        return workspaces.size();
    }

    @Override
    public WorkspaceEvent append(WorkspaceEvent event) {
        events.add(event);
        return event;
    }

    @Override
    public List<WorkspaceEvent> list(String workspaceId, int limit) {
        List<WorkspaceEvent> mine = new ArrayList<>();
        for (WorkspaceEvent e : events) if (e.workspaceId().equals(workspaceId)) mine.add(e);
        return mine;
    }

    /** Users without keys or tokens. */
    private static final class Users implements UserStore {
        @Override
        public User insert(User user) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<User> find(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<User> list() {
            throw new UnsupportedOperationException();
        }

        @Override
        public UserSshKey addKey(UserSshKey key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<UserSshKey> keys(String owner) {
            return List.of();
        }

        @Override
        public Optional<UserSshKey> findKey(String fingerprint) {
            return Optional.empty();
        }

        @Override
        public boolean removeKey(String owner, String fingerprint) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ApiToken insertToken(ApiToken token) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<ApiToken> findToken(String id) {
            return Optional.empty();
        }

        @Override
        public boolean removeToken(String id) {
            return false;
        }
    }
}
