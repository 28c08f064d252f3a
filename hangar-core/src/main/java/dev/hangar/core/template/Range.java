package dev.hangar.core.template;

/**
 * An inclusive range of allowed values.
 *
 * @param min smallest allowed value
 * @param max largest allowed value, at least {@code min}
 */
public record Range(int min, int max) {
    public Range {
        if (min > max) throw new IllegalArgumentException("range min " + min + " is above max " + max);
    }

    /** @return true when {@code min <= v <= max} */
    public boolean contains(int v) {
        return v >= min && v <= max;
    }

    @Override
    public String toString() {
        return min + ".." + max;
    }
}
