package dev.hangar.server;

import io.javalin.http.Context;

/**
 * The query parameters the routes read, one rule for all: a value with surrounding blanks removed,
 * and the empty string for a parameter that is absent (the services treat empty as "not given", for
 * {@code owner} the caller). Stateless.
 */
final class QueryParams {
    private QueryParams() {}

    /** @return the first value of query parameter {@code key}, stripped; empty when absent */
    static String query(Context ctx, String key) {
        String v = ctx.queryParam(key);
        return v == null ? "" : v.strip();
    }

    /** @return {@code ?owner=}, stripped; empty (the caller) when absent */
    static String owner(Context ctx) {
        return query(ctx, "owner");
    }
}
