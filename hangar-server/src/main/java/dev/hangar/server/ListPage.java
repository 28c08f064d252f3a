package dev.hangar.server;

import static dev.hangar.server.QueryParams.query;

import dev.hangar.core.store.WorkspaceCursor;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Paging of {@code GET /api/v1/workspaces}: the {@code limit} and {@code continue} query
 * parameters in, an RFC 8288 {@code Link: <...>; rel="next"} header out when more rows follow.
 * The static {@link #limitOf} and {@link #page} serve other keyset listings the same way (the
 * audit log, whose cursor is its own).
 *
 * <p>The continue token is the base64url (RFC 4648 section 5, unpadded) of {@code owner/name} of
 * the page's last row. Clients must treat it as opaque: it is only meaningful to the server that
 * issued it, with the same filters.
 *
 * @param after where the page starts (exclusive)
 * @param limit page size, 1 to {@link #MAX_LIMIT}
 */
record ListPage(WorkspaceCursor after, int limit) {
    /** Page size when the request leaves {@code limit} out. */
    static final int DEFAULT_LIMIT = 500;
    /** Largest accepted {@code limit}: one page stays well under a second of encoding. */
    static final int MAX_LIMIT = 1000;

    /**
     * @return the page the request asks for
     * @throws ApiException 400 naming {@code limit} or {@code continue} when either is malformed
     */
    static ListPage of(Context ctx) {
        return new ListPage(cursor(query(ctx, "continue")), limit(query(ctx, "limit")));
    }

    /**
     * Sends one page: fetches {@code limit + 1} rows through {@code fetch} to learn whether another
     * page follows, writes at most {@code limit} of them, and a {@code Link} header to the next
     * page when there is one.
     *
     * @param fetch reads up to the given number of rows after {@link #after()}
     * @param key the (owner, name) of a row, for the next page's token
     * @return the rows of this page
     */
    <T> List<T> fetch(Context ctx, Function<Integer, List<T>> fetch, Function<T, Map.Entry<String, String>> key) {
        return page(ctx, limit, fetch.apply(limit + 1), row -> {
            Map.Entry<String, String> last = key.apply(row);
            return token(last.getKey(), last.getValue());
        });
    }

    /**
     * Sends one page of any keyset listing: at most {@code limit} of {@code rows} (which holds up
     * to {@code limit + 1}, the extra one telling that another page follows), and then a {@code
     * Link} header whose {@code continue} is {@code token} of the page's last row.
     *
     * @return the rows of this page
     */
    static <T> List<T> page(Context ctx, int limit, List<T> rows, Function<T, String> token) {
        if (rows.size() <= limit) return rows;
        List<T> page = rows.subList(0, limit);
        ctx.header("Link", "<" + nextUrl(ctx, limit, token.apply(page.get(limit - 1))) + ">; rel=\"next\"");
        return page;
    }

    /**
     * @return the {@code limit} query parameter, {@link #DEFAULT_LIMIT} when absent
     * @throws ApiException 400 naming {@code limit} when it is not an integer 1..{@link #MAX_LIMIT}
     */
    static int limitOf(Context ctx) {
        return limit(query(ctx, "limit"));
    }

    private static String nextUrl(Context ctx, int limit, String token) {
        StringBuilder q = new StringBuilder();
        ctx.queryParamMap().forEach((k, values) -> {
            if (k.equals("continue") || k.equals("limit")) return;
            for (String v : values) q.append(enc(k)).append('=').append(enc(v)).append('&');
        });
        q.append("limit=").append(limit).append("&continue=").append(token);
        return ctx.path() + "?" + q;
    }

    static String token(String owner, String name) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((owner + "/" + name).getBytes(StandardCharsets.UTF_8));
    }

    private static WorkspaceCursor cursor(String raw) {
        if (raw.isEmpty()) return WorkspaceCursor.START;
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(raw), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw badToken();
        }
        int slash = decoded.indexOf('/');
        if (slash <= 0 || slash == decoded.length() - 1 || decoded.indexOf('/', slash + 1) >= 0) throw badToken();
        return WorkspaceCursor.after(decoded.substring(0, slash), decoded.substring(slash + 1));
    }

    private static ApiException badToken() {
        return ApiException.badRequest(
                "continue",
                "continue must be the token from a previous page's Link header (rel=\"next\"), unchanged;"
                        + " leave it out to start from the first page");
    }

    private static int limit(String raw) {
        if (raw.isEmpty()) return DEFAULT_LIMIT;
        int limit;
        try {
            limit = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("limit", "limit must be an integer 1.." + MAX_LIMIT + ", got '" + raw + "'");
        }
        if (limit < 1 || limit > MAX_LIMIT)
            throw ApiException.badRequest("limit", "limit must be 1.." + MAX_LIMIT + ", got " + limit);
        return limit;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
