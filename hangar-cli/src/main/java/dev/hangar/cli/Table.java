package dev.hangar.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table as kubectl prints it: upper-case headers, columns left-aligned and separated
 * by three spaces, no trailing blanks. Not thread-safe; build, then {@link #print}.
 */
final class Table {
    private static final String GAP = "   ";

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    /** @param headers column titles, e.g. {@code NAME} */
    Table(String... headers) {
        this.columns = headers.length;
        rows.add(headers.clone());
    }

    /**
     * Adds a row; null cells print as empty.
     *
     * @throws IllegalArgumentException when the cell count differs from the header count
     */
    Table row(String... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + columns + " columns");
        }
        String[] r = new String[columns];
        for (int i = 0; i < columns; i++) r[i] = cells[i] == null ? "" : cells[i].replace('\n', ' ');
        rows.add(r);
        return this;
    }

    /** @return how many data rows (headers excluded) */
    int size() {
        return rows.size() - 1;
    }

    /** Writes the headers and rows, one line each. */
    void print(PrintWriter out) {
        int[] width = new int[columns];
        for (String[] r : rows) for (int i = 0; i < columns; i++) width[i] = Math.max(width[i], r[i].length());
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            sb.setLength(0);
            for (int i = 0; i < columns; i++) {
                sb.append(r[i]);
                if (i < columns - 1)
                    sb.append(" ".repeat(width[i] - r[i].length())).append(GAP);
            }
            // A trailing empty cell would leave blanks behind: strip them.
            out.println(sb.toString().stripTrailing());
        }
    }
}
