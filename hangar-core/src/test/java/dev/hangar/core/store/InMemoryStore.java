package dev.hangar.core.store;

import dev.hangar.core.audit.AuditEntry;
import dev.hangar.core.audit.AuditQuery;
import dev.hangar.core.autostop.WorkspaceActivity;
import dev.hangar.core.domain.ApiToken;
import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.NotFoundException;
import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.StaleVersionException;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.UserSshKey;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A {@link Store} in memory, for unit tests of the core without a database. Follows the store
 * contract (optimistic versions, name conflicts, events removed with their workspace); a
 * transaction is all-or-nothing (a snapshot restored when its work throws). Thread-safe: every
 * call holds one lock.
 */
public final class InMemoryStore implements Store {
    private final Object lock = new Object();
    private Map<String, Workspace> workspaces = new LinkedHashMap<>();
    private List<WorkspaceEvent> events = new ArrayList<>();
    private Map<String, User> users = new TreeMap<>();
    private List<UserSshKey> keys = new ArrayList<>();
    private Map<String, ApiToken> tokens = new TreeMap<>();
    private Map<String, WorkspaceActivity> activity = new TreeMap<>();
    private Map<String, dev.hangar.core.autostop.Autostop> userAutostop = new TreeMap<>();
    private Map<String, dev.hangar.core.quota.QuotaLimits> quotas = new TreeMap<>();
    private Map<String, dev.hangar.core.domain.OidcIdentity> identities = new TreeMap<>();
    private Map<String, dev.hangar.core.secret.StoredSecret> secrets = new TreeMap<>(); // owner NUL name
    private Map<String, dev.hangar.core.domain.ResetGenerations> resets = new TreeMap<>();
    private long seq;
    private List<AuditEntry> audit = new ArrayList<>();
    private long auditSeq;
    private int staleUpdates; // not rolled back with a transaction: it stands for other writers

    private final WorkspaceStore workspaceStore = new Workspaces();
    private final EventStore eventStore = new Events();
    private final UserStore userStore = new Users();
    // reads of a token by its id, so a test can pin how many reads one authentication costs
    private final java.util.concurrent.atomic.AtomicInteger tokenReads =
            new java.util.concurrent.atomic.AtomicInteger();
    private final ActivityStore activityStore = new Activity();
    private final AuditStore auditStore = new Audit();
    private final QuotaStore quotaStore = new Quotas();
    private final SecretStore secretStore = new Secrets();
    private final ResetStore resetStore = new Resets();

    /**
     * Makes the next {@code n} workspace updates fail with {@link StaleVersionException}, as when
     * another writer (the reconciler) saved the row between a reader's read and its write.
     */
    public void failNextUpdatesAsStale(int n) {
        synchronized (lock) {
            staleUpdates = n;
        }
    }

    /** @return every event of every workspace, oldest first (a copy) */
    public List<WorkspaceEvent> allEvents() {
        synchronized (lock) {
            return List.copyOf(events);
        }
    }

    @Override
    public WorkspaceStore workspaces() {
        return workspaceStore;
    }

    @Override
    public EventStore events() {
        return eventStore;
    }

    @Override
    public UserStore users() {
        return userStore;
    }

    /** @return how many times a token was read by its id ({@code findToken}, {@code findTokenWithOwner}) */
    public int tokenReads() {
        return tokenReads.get();
    }

    @Override
    public AuditStore audit() {
        return auditStore;
    }

    @Override
    public ActivityStore activity() {
        return activityStore;
    }

    @Override
    public QuotaStore quotas() {
        return quotaStore;
    }

    /**
     * A store that holds no labs: reads answer empty (so the reconciler finds no workspace on a lab),
     * writes are refused. Labs are tested on the real stores (StoreContractTest) and through the
     * control plane.
     */
    @Override
    public ResetStore resets() {
        return resetStore;
    }

    @Override
    public LabStore labs() {
        return NO_LABS;
    }

    private static final LabStore NO_LABS = new LabStore() {
        @Override
        public dev.hangar.core.lab.Lab insert(dev.hangar.core.lab.Lab lab) {
            throw refused();
        }

        @Override
        public Optional<dev.hangar.core.lab.Lab> find(String owner, String name) {
            return Optional.empty();
        }

        @Override
        public Optional<dev.hangar.core.lab.Lab> findByWorkspace(String workspaceId) {
            return Optional.empty();
        }

        @Override
        public List<dev.hangar.core.lab.Lab> list(String owner) {
            return List.of();
        }

        @Override
        public java.util.Set<String> subnets() {
            return java.util.Set.of();
        }

        @Override
        public void linkMember(String labId, String group, int index, String workspaceId) {
            throw refused();
        }

        @Override
        public void failMember(String labId, String group, int index, String error) {
            throw refused();
        }

        @Override
        public void changeOwner(String labId, String owner) {
            throw refused();
        }

        @Override
        public boolean delete(String labId) {
            return false;
        }

        private UnsupportedOperationException refused() {
            return new UnsupportedOperationException("labs are tested on the real stores, not InMemoryStore");
        }
    };

    /**
     * A store that holds no device claims: reads answer empty, claims are refused. Device claims
     * are tested on the real stores (StoreContractTest's DeviceClaimStoreContract).
     */
    @Override
    public DeviceClaimStore deviceClaims() {
        return NO_DEVICE_CLAIMS;
    }

    private static final DeviceClaimStore NO_DEVICE_CLAIMS = new DeviceClaimStore() {
        @Override
        public boolean claim(String address, String deviceName, String workspaceId, java.time.Instant at) {
            throw new UnsupportedOperationException("device claims are tested on the real stores, not InMemoryStore");
        }

        @Override
        public Optional<dev.hangar.core.device.DeviceClaim> find(String address) {
            return Optional.empty();
        }

        @Override
        public List<dev.hangar.core.device.DeviceClaim> ofWorkspace(String workspaceId) {
            return List.of();
        }

        @Override
        public List<dev.hangar.core.device.DeviceClaim> list() {
            return List.of();
        }

        @Override
        public int release(String workspaceId) {
            return 0;
        }
    };

    @Override
    public SecretStore secrets() {
        return secretStore;
    }

    @Override
    public <T> T inTransaction(Function<Store, T> work) {
        synchronized (lock) {
            var ws = new LinkedHashMap<>(workspaces);
            var ev = new ArrayList<>(events);
            var us = new TreeMap<>(users);
            var ks = new ArrayList<>(keys);
            var ts = new TreeMap<>(tokens);
            var as = new TreeMap<>(activity);
            var ua = new TreeMap<>(userAutostop);
            var qs = new TreeMap<>(quotas);
            var is = new TreeMap<>(identities);
            var ss = new TreeMap<>(secrets);
            var rs = new TreeMap<>(resets);
            long s = seq;
            var au = new ArrayList<>(audit);
            try {
                return work.apply(this);
            } catch (RuntimeException | Error e) {
                workspaces = ws;
                events = ev;
                users = us;
                keys = ks;
                tokens = ts;
                activity = as;
                userAutostop = ua;
                quotas = qs;
                identities = is;
                secrets = ss;
                resets = rs;
                seq = s;
                audit = au;
                throw e;
            }
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

    private final class Audit implements AuditStore {
        @Override
        public AuditEntry append(AuditEntry entry) {
            synchronized (lock) {
                AuditEntry stored =
                        entry.stored(++auditSeq, entry.at().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
                audit.add(stored);
                return stored;
            }
        }

        @Override
        public List<AuditEntry> list(AuditQuery query, int limit) {
            if (limit < 0) throw new IllegalArgumentException("limit must be at least 0, got " + limit);
            synchronized (lock) {
                return audit.reversed().stream()
                        .filter(e -> e.seq() < query.beforeSeq() && query.matches(e))
                        .limit(limit)
                        .toList();
            }
        }

        @Override
        public int deleteBefore(java.time.Instant cutoff) {
            synchronized (lock) {
                int before = audit.size();
                audit.removeIf(e -> e.at().isBefore(cutoff));
                return before - audit.size();
            }
        }
    }

    private final class Quotas implements QuotaStore {
        @Override
        public Optional<dev.hangar.core.quota.QuotaLimits> find(String user) {
            synchronized (lock) {
                return Optional.ofNullable(quotas.get(user));
            }
        }

        @Override
        public dev.hangar.core.quota.QuotaLimits save(String user, dev.hangar.core.quota.QuotaLimits o) {
            synchronized (lock) {
                if (!users.containsKey(user)) throw new NotFoundException("user '" + user + "' does not exist");
                if (o.unlimited()) quotas.remove(user);
                else quotas.put(user, o);
                return o;
            }
        }

        @Override
        public void lockOwner(String user) {
            // every call holds the one lock; a transaction holds it throughout
        }
    }

    private final class Secrets implements SecretStore {
        @Override
        public List<dev.hangar.core.secret.StoredSecret> list(String owner) {
            synchronized (lock) {
                return secrets.values().stream()
                        .filter(x -> x.owner().equals(owner))
                        .toList();
            }
        }

        @Override
        public Optional<dev.hangar.core.secret.StoredSecret> find(String owner, String name) {
            synchronized (lock) {
                return Optional.ofNullable(secrets.get(owner + "\0" + name));
            }
        }

        @Override
        public void save(dev.hangar.core.secret.StoredSecret secret) {
            synchronized (lock) {
                if (!users.containsKey(secret.owner()))
                    throw new NotFoundException("user '" + secret.owner() + "' does not exist");
                secrets.put(secret.owner() + "\0" + secret.name(), secret);
            }
        }

        @Override
        public boolean delete(String owner, String name) {
            synchronized (lock) {
                return secrets.remove(owner + "\0" + name) != null;
            }
        }

        @Override
        public int count(String owner) {
            return list(owner).size();
        }

        @Override
        public java.util.Set<String> keyIds() {
            synchronized (lock) {
                return secrets.values().stream()
                        .map(x -> x.sealed().keyId())
                        .collect(java.util.stream.Collectors.toSet());
            }
        }
    }

    private final class Resets implements ResetStore {
        @Override
        public dev.hangar.core.domain.ResetGenerations find(String workspaceId) {
            synchronized (lock) {
                return resets.getOrDefault(workspaceId, dev.hangar.core.domain.ResetGenerations.none(workspaceId));
            }
        }

        @Override
        public dev.hangar.core.domain.ResetGenerations request(String workspaceId) {
            synchronized (lock) {
                if (!workspaces.containsKey(workspaceId))
                    throw new StoreException("workspace " + workspaceId + " does not exist", null);
                var cur = find(workspaceId);
                var next = new dev.hangar.core.domain.ResetGenerations(workspaceId, cur.requested() + 1, cur.done());
                resets.put(workspaceId, next);
                return next;
            }
        }

        @Override
        public dev.hangar.core.domain.ResetGenerations complete(String workspaceId, long generation) {
            synchronized (lock) {
                var cur = find(workspaceId);
                if (!resets.containsKey(workspaceId) || cur.done() >= generation) return cur;
                var next = new dev.hangar.core.domain.ResetGenerations(
                        workspaceId, cur.requested(), Math.min(generation, cur.requested()));
                resets.put(workspaceId, next);
                return next;
            }
        }
    }

    private final class Activity implements ActivityStore {
        @Override
        public Optional<WorkspaceActivity> find(String workspaceId) {
            synchronized (lock) {
                return Optional.ofNullable(activity.get(workspaceId));
            }
        }

        @Override
        public void save(WorkspaceActivity a) {
            synchronized (lock) {
                if (!workspaces.containsKey(a.workspaceId()))
                    throw new StoreException("no workspace " + a.workspaceId(), null);
                activity.put(a.workspaceId(), a);
            }
        }

        @Override
        public Optional<dev.hangar.core.autostop.Autostop> userDefault(String user) {
            synchronized (lock) {
                return Optional.ofNullable(userAutostop.get(user));
            }
        }

        @Override
        public Map<String, dev.hangar.core.autostop.Autostop> userDefaults() {
            synchronized (lock) {
                return Map.copyOf(userAutostop);
            }
        }

        @Override
        public void setUserDefault(String user, Optional<dev.hangar.core.autostop.Autostop> autostop) {
            synchronized (lock) {
                if (autostop.isEmpty()) {
                    userAutostop.remove(user);
                    return;
                }
                if (!users.containsKey(user))
                    throw new dev.hangar.core.domain.NotFoundException("user '" + user + "' does not exist");
                userAutostop.put(user, autostop.get());
            }
        }
    }

    private final class Workspaces implements WorkspaceStore {
        /** Raised on every write (guarded by {@code lock}); the JDBC stores keep it in the database. */
        private long generation;

        @Override
        public long generation() {
            synchronized (lock) {
                return generation;
            }
        }

        @Override
        public Workspace insert(Workspace w) {
            synchronized (lock) {
                if (findByName(w.owner(), w.name()).isPresent())
                    throw new ConflictException("name", "workspace " + w.owner() + "/" + w.name() + " exists");
                workspaces.put(w.id(), w);
                generation++;
                return w;
            }
        }

        @Override
        public Optional<Workspace> find(String id) {
            synchronized (lock) {
                return Optional.ofNullable(workspaces.get(id));
            }
        }

        @Override
        public Optional<Workspace> findByName(String owner, String name) {
            synchronized (lock) {
                return workspaces.values().stream()
                        .filter(w -> w.owner().equals(owner) && w.name().equals(name))
                        .findFirst();
            }
        }

        @Override
        public List<Workspace> list(WorkspaceFilter filter, WorkspaceCursor after, int limit) {
            if (limit < 1) throw new IllegalArgumentException("limit must be at least 1");
            synchronized (lock) {
                return workspaces.values().stream()
                        .filter(w -> filter.owner().isEmpty() || w.owner().equals(filter.owner()))
                        .filter(w ->
                                filter.phases().isEmpty() || filter.phases().contains(w.phase()))
                        .filter(w -> filter.template().isEmpty() || w.template().equals(filter.template()))
                        .filter(w -> filter.providerType().isEmpty()
                                || w.providerType().equals(filter.providerType()))
                        .filter(w -> after.isStart()
                                || w.owner().compareTo(after.owner()) > 0
                                || (w.owner().equals(after.owner()) && w.name().compareTo(after.name()) > 0))
                        .sorted(Comparator.comparing(Workspace::owner).thenComparing(Workspace::name))
                        .limit(limit)
                        .toList();
            }
        }

        @Override
        public Map<Phase, Long> countByPhase() {
            synchronized (lock) {
                Map<Phase, Long> m = new EnumMap<>(Phase.class);
                workspaces.values().forEach(w -> m.merge(w.phase(), 1L, Long::sum));
                return m;
            }
        }

        @Override
        public Workspace update(Workspace w) {
            synchronized (lock) {
                Workspace cur = workspaces.get(w.id());
                if (cur == null) throw new NotFoundException("workspace " + w.id() + " not found");
                if (cur.version() != w.version()) throw new StaleVersionException(w.id(), w.version());
                if (staleUpdates > 0) {
                    staleUpdates--;
                    throw new StaleVersionException(w.id(), w.version());
                }
                Workspace stored = w.withVersion(w.version() + 1);
                workspaces.put(w.id(), stored);
                generation++;
                return stored;
            }
        }

        @Override
        public boolean delete(String id, long version) {
            synchronized (lock) {
                Workspace cur = workspaces.get(id);
                if (cur == null) return false;
                if (cur.version() != version) throw new StaleVersionException(id, version);
                workspaces.remove(id);
                generation++;
                events.removeIf(e -> e.workspaceId().equals(id));
                activity.remove(id);
                resets.remove(id);
                return true;
            }
        }

        @Override
        public long count() {
            synchronized (lock) {
                return workspaces.size();
            }
        }
    }

    private final class Events implements EventStore {
        @Override
        public WorkspaceEvent append(WorkspaceEvent e) {
            synchronized (lock) {
                for (int i = events.size() - 1; i >= 0; i--) {
                    WorkspaceEvent newest = events.get(i);
                    if (!newest.workspaceId().equals(e.workspaceId())) continue;
                    if (!newest.repeats(e)) break;
                    WorkspaceEvent folded = newest.withCount(newest.count() + 1);
                    events.set(i, folded);
                    return folded;
                }
                WorkspaceEvent stored =
                        new WorkspaceEvent(++seq, e.workspaceId(), e.at(), e.actor(), e.type(), e.message());
                events.add(stored);
                return stored;
            }
        }

        @Override
        public List<WorkspaceEvent> list(String workspaceId, int limit) {
            synchronized (lock) {
                List<WorkspaceEvent> all = events.stream()
                        .filter(e -> e.workspaceId().equals(workspaceId))
                        .toList();
                return List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size()));
            }
        }
    }

    private final class Users implements UserStore {
        @Override
        public User insert(User user) {
            synchronized (lock) {
                if (users.containsKey(user.name())) throw new ConflictException("name", "user exists");
                users.put(user.name(), user);
                return user;
            }
        }

        @Override
        public Optional<User> find(String name) {
            synchronized (lock) {
                return Optional.ofNullable(users.get(name));
            }
        }

        @Override
        public List<User> list() {
            synchronized (lock) {
                return List.copyOf(users.values());
            }
        }

        @Override
        public User update(User user) {
            synchronized (lock) {
                if (!users.containsKey(user.name()))
                    throw new dev.hangar.core.domain.NotFoundException("no user " + user.name());
                users.put(user.name(), user);
                return user;
            }
        }

        @Override
        public boolean delete(String name) {
            synchronized (lock) {
                keys.removeIf(k -> k.owner().equals(name));
                tokens.values().removeIf(t -> t.owner().equals(name));
                quotas.remove(name);
                userAutostop.remove(name);
                identities.values().removeIf(i -> i.userName().equals(name));
                secrets.values().removeIf(x -> x.owner().equals(name));
                return users.remove(name) != null;
            }
        }

        @Override
        public List<ApiToken> tokens(String owner) {
            synchronized (lock) {
                return tokens.values().stream()
                        .filter(t -> t.owner().equals(owner))
                        .sorted(java.util.Comparator.comparing(ApiToken::name))
                        .toList();
            }
        }

        @Override
        public boolean touchToken(String id, java.time.Instant at, java.time.Instant unlessSince) {
            synchronized (lock) {
                ApiToken t = tokens.get(id);
                if (t == null
                        || t.lastUsedAt().map(l -> !l.isBefore(unlessSince)).orElse(false)) return false;
                tokens.put(
                        id,
                        new ApiToken(
                                t.id(),
                                t.owner(),
                                t.secretHash(),
                                t.name(),
                                t.createdAt(),
                                t.expiresAt(),
                                Optional.of(at)));
                return true;
            }
        }

        @Override
        public UserSshKey addKey(UserSshKey key) {
            synchronized (lock) {
                if (findKey(key.key().fingerprint()).isPresent()) throw new ConflictException("key", "key exists");
                keys.add(key);
                return key;
            }
        }

        @Override
        public List<UserSshKey> keys(String owner) {
            synchronized (lock) {
                return keys.stream().filter(k -> k.owner().equals(owner)).toList();
            }
        }

        @Override
        public Optional<UserSshKey> findKey(String fingerprint) {
            synchronized (lock) {
                return keys.stream()
                        .filter(k -> k.key().fingerprint().equals(fingerprint))
                        .findFirst();
            }
        }

        @Override
        public boolean removeKey(String owner, String fingerprint) {
            synchronized (lock) {
                return keys.removeIf(
                        k -> k.owner().equals(owner) && k.key().fingerprint().equals(fingerprint));
            }
        }

        @Override
        public ApiToken insertToken(ApiToken token) {
            synchronized (lock) {
                if (tokens.values().stream()
                        .anyMatch(
                                t -> t.owner().equals(token.owner()) && t.name().equals(token.name())))
                    throw new ConflictException("name", "token exists");
                tokens.put(token.id(), token);
                return token;
            }
        }

        @Override
        public Optional<ApiToken> findToken(String id) {
            tokenReads.incrementAndGet();
            synchronized (lock) {
                return Optional.ofNullable(tokens.get(id));
            }
        }

        @Override
        public Optional<dev.hangar.core.domain.TokenAndOwner> findTokenWithOwner(String id) {
            tokenReads.incrementAndGet();
            synchronized (lock) {
                return Optional.ofNullable(tokens.get(id))
                        .flatMap(t -> Optional.ofNullable(users.get(t.owner()))
                                .map(u -> new dev.hangar.core.domain.TokenAndOwner(t, u)));
            }
        }

        @Override
        public dev.hangar.core.domain.OidcIdentity linkIdentity(dev.hangar.core.domain.OidcIdentity identity) {
            synchronized (lock) {
                if (!users.containsKey(identity.userName()))
                    throw new dev.hangar.core.domain.NotFoundException("no user " + identity.userName());
                if (identities.putIfAbsent(identity.issuer() + "\n" + identity.subject(), identity) != null)
                    throw new ConflictException("subject", "identity linked");
                return identity;
            }
        }

        @Override
        public Optional<dev.hangar.core.domain.OidcIdentity> findIdentity(String issuer, String subject) {
            synchronized (lock) {
                return Optional.ofNullable(identities.get(issuer + "\n" + subject));
            }
        }

        @Override
        public boolean removeToken(String id) {
            synchronized (lock) {
                return tokens.remove(id) != null;
            }
        }
    }
}
