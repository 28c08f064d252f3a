package dev.hangar.testing.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Looks for secret values in texts the server wrote (log file, database bytes, API answers). A hit
 * names the source and the secret's label, never the value, so a failing test does not print the
 * secret either. Not thread-safe.
 */
final class SecretScan {
    /** Shorter values would match by chance. */
    private static final int MIN_LENGTH = 16;

    /** Label and value; labels repeat (every line of one key has the same label). */
    private final List<Map.Entry<String, String>> secrets = new ArrayList<>();

    /**
     * @param label what the value is, for a hit's message
     * @param value the secret; at least 16 characters
     * @return this
     */
    SecretScan add(String label, String value) {
        if (value.length() < MIN_LENGTH)
            throw new IllegalArgumentException(label + " is shorter than " + MIN_LENGTH + " characters");
        secrets.add(Map.entry(label, value));
        return this;
    }

    /** @return how many values are scanned for */
    int size() {
        return secrets.size();
    }

    /**
     * @param sources source name to its text
     * @return one {@code "<source>: <label>"} per secret value found in a source; empty when clean
     */
    List<String> hits(Map<String, String> sources) {
        List<String> hits = new ArrayList<>();
        for (var source : sources.entrySet()) {
            for (var secret : secrets) {
                if (source.getValue().contains(secret.getValue())) hits.add(source.getKey() + ": " + secret.getKey());
            }
        }
        return hits;
    }
}
