/** The audit log's values: {@link dev.hangar.core.audit.AuditEntry} and {@link dev.hangar.core.audit.AuditQuery}. */
package dev.hangar.core.audit;
