package dev.hangar.api;

/**
 * An error body as RFC 9457 (Problem Details for HTTP APIs) defines it, sent with media type
 * {@code application/problem+json}.
 *
 * @param type a URI naming the kind of problem, e.g. {@code https://hangar.dev/problems/validation}
 * @param title short summary of the kind
 * @param status the HTTP status code
 * @param detail what went wrong in this request and how to fix it
 * @param instance the request path
 * @param field extension member: the offending request field (e.g. {@code name}); empty when none
 */
public record Problem(String type, String title, int status, String detail, String instance, String field) {}
