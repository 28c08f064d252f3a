package dev.hangar.server;

import io.javalin.http.Context;
import java.util.LinkedHashSet;
import java.util.Set;

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

    /**
     * @return every value of a repeatable query parameter ({@code ?group=a&group=b}), stripped, in
     *     the order given, without blanks or repeats; empty when absent
     */
    static Set<String> all(Context ctx, String key) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : ctx.queryParams(key)) if (!v.isBlank()) out.add(v.strip());
        return out;
    }

    /** @return {@code ?owner=}, stripped; empty (the caller) when absent */
    static String owner(Context ctx) {
        return query(ctx, "owner");
    }
}
