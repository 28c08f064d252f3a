/**
 * Storage interfaces of the control plane. hangar-store implements them with JDBI on SQLite (the
 * embedded default) and PostgreSQL. All state of the control plane lives behind these interfaces,
 * so a restarted server resumes every unfinished operation from them.
 *
 * <p>Implementations are thread-safe. Methods throw {@link dev.hangar.core.domain.ConflictException}
 * for uniqueness and version conflicts and unchecked {@link dev.hangar.core.store.StoreException}
 * for I/O failures.
 */
package dev.hangar.core.store;
