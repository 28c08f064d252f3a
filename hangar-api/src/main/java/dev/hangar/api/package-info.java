/**
 * Hangar's REST API (version 1, under {@code /api/v1}) as Java records: what the server sends
 * and receives and what the CLI's typed client uses. JSON is produced and read with {@link
 * dev.hangar.api.Json#mapper()}. The OpenAPI 3.1 document is the resource {@code
 * dev/hangar/api/openapi.yaml}, served at {@code /api/v1/openapi.yaml}.
 *
 * <p>Nullable fields exist only in request bodies, where JSON leaves a field out; responses never
 * contain null (an empty string or 0 means "none").
 */
package dev.hangar.api;
