package dev.hangar.server;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.hangar.api.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reads JSON request bodies strictly: at most {@value #MAX_BYTES} bytes (else 413), JSON media
 * type (else 415), no unknown fields, no trailing tokens, no silent type coercion (a string is not
 * a number, {@code 2.5} is not an integer, a number is not a string). Every syntax error becomes a
 * 400 problem naming the field. Thread-safe.
 */
final class RequestBodies {
    /** Largest accepted request body: 64 KiB. */
    static final int MAX_BYTES = 64 * 1024;

    /**
     * A copy of the shared API mapper (which stays untouched) that refuses scalar coercions, so
     * {@code "cpus": "4"} and {@code "name": 5} are type errors rather than guesses.
     */
    private static final ObjectMapper STRICT = strict();

    private RequestBodies() {}

    private static ObjectMapper strict() {
        ObjectMapper m = Json.mapper().copy();
        for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            m.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
            m.coercionConfigFor(t).setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        m.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        return m;
    }

    /**
     * @return the body parsed as {@code type}, never null
     * @throws ApiException 400/413/415 as described in the class comment
     */
    static <T> T read(Context ctx, Class<T> type) {
        String contentType = ctx.contentType();
        if (contentType != null && !contentType.isBlank()) {
            String base = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!base.equals("application/json") && !base.endsWith("+json")) {
                throw ApiException.unsupportedMediaType(
                        "request body must be application/json, got '" + contentType + "'");
            }
        }
        byte[] body = bytes(ctx);
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw ApiException.badRequest("", "request body is empty; send a JSON object");
        }
        ObjectReader reader = STRICT.readerFor(type);
        T value;
        try {
            value = reader.readValue(body);
        } catch (UnrecognizedPropertyException e) {
            String field = path(e);
            String known = e.getKnownPropertyIds() == null
                    ? ""
                    : "; known fields: "
                            + e.getKnownPropertyIds().stream()
                                    .map(Object::toString)
                                    .sorted()
                                    .collect(Collectors.joining(", "));
            throw ApiException.badRequest(field, "unknown field '" + field + "'" + known);
        } catch (MismatchedInputException e) {
            String field = path(e);
            String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
            throw ApiException.badRequest(
                    field,
                    field.isEmpty()
                            ? "request body must be one JSON object {...}, got " + shape(body)
                            : "field '" + field + "' has the wrong type; expected " + expected);
        } catch (JsonMappingException e) {
            String field = path(e);
            throw ApiException.badRequest(field, "field '" + field + "' is invalid: " + e.getOriginalMessage());
        } catch (StreamReadException e) {
            String field = currentName(e);
            JsonLocation loc = e.getLocation();
            String at = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw ApiException.badRequest(
                    field,
                    "request body is not valid JSON" + at + (field.isEmpty() ? "" : " (field '" + field + "')") + ": "
                            + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("", "request body is not valid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (value == null) throw ApiException.badRequest("", "request body must be a JSON object, not null");
        return value;
    }

    /**
     * @return the raw body: {@code application/octet-stream} (or no content type), at most {@value
     *     #MAX_BYTES} bytes, possibly empty
     * @throws ApiException 413 for a larger body, 415 for another media type
     */
    static byte[] raw(Context ctx) {
        String contentType = ctx.contentType();
        if (contentType != null && !contentType.isBlank()) {
            String base = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!base.equals("application/octet-stream"))
                throw ApiException.unsupportedMediaType(
                        "request body must be application/octet-stream (the raw value), got '" + contentType + "'");
        }
        return bytes(ctx);
    }

    private static byte[] bytes(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > MAX_BYTES) throw tooLarge(declared);
        try (InputStream in = ctx.req().getInputStream()) {
            // Read one byte more than allowed so a chunked body without Content-Length is caught too.
            byte[] b = in.readNBytes(MAX_BYTES + 1);
            if (b.length > MAX_BYTES) throw tooLarge(-1);
            return b;
        } catch (IOException e) {
            throw ApiException.badRequest("", "could not read the request body: " + e.getMessage());
        }
    }

    private static ApiException tooLarge(long declared) {
        return ApiException.tooLarge("request body is " + (declared > 0 ? declared + " bytes" : "too large")
                + "; at most " + MAX_BYTES + " bytes (64 KiB) are accepted");
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String currentName(StreamReadException e) {
        try {
            if (e.getProcessor() instanceof JsonParser p && p.currentName() != null) return p.currentName();
        } catch (IOException | RuntimeException ignored) {
            // the parser may be closed or in an unusable state; the field is then unknown
        }
        return "";
    }

    private static String describe(Class<?> t) {
        if (t == Integer.class || t == int.class || t == Long.class || t == long.class) return "an integer";
        if (t == String.class) return "a string";
        if (t == Boolean.class || t == boolean.class) return "true or false";
        return "a JSON object";
    }

    /** What the body is at the top level, in JSON's terms (never a Java type name). */
    private static String shape(byte[] body) {
        String t = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
        if (t.isEmpty()) return "nothing";
        return switch (t.charAt(0)) {
            case '[' -> "an array";
            case '"' -> "a string";
            case 't', 'f' -> "a boolean";
            case 'n' -> "null";
            case '{' -> "an object of another shape";
            default -> "a number";
        };
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
