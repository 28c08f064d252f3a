package dev.hangar.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The user's side of standard input: whether a person is at a terminal (so the CLI may ask a
 * question) and reading answers. Prompts go to standard error so standard output stays clean for
 * scripts.
 */
public interface Terminal {
    /** @return true when standard input and output are a terminal, so a person can answer */
    boolean interactive();

    /**
     * Shows {@code prompt} (when interactive) and reads one line.
     *
     * @return the line without its terminator; empty at end of input
     */
    String readLine(String prompt);

    /** Like {@link #readLine(String)} but without echo on a terminal; for tokens. */
    String readSecret(String prompt);

    /**
     * @return the process's terminal: {@link System#console()} when it is a terminal, else {@code
     *     System.in}. The console is looked up only when first needed, keeping startup fast.
     */
    static Terminal system() {
        return new Terminal() {
            private Console console() {
                Console c = System.console();
                return c != null && c.isTerminal() ? c : null;
            }

            @Override
            public boolean interactive() {
                return console() != null;
            }

            @Override
            public String readLine(String prompt) {
                Console c = console();
                if (c == null) return firstLine(System.in);
                String s = c.readLine("%s", prompt);
                return s == null ? "" : s;
            }

            @Override
            public String readSecret(String prompt) {
                Console c = console();
                if (c == null) return firstLine(System.in);
                char[] s = c.readPassword("%s", prompt);
                return s == null ? "" : new String(s);
            }
        };
    }

    /**
     * A terminal over plain streams, for tests and embedding: {@code interactive} is what the
     * caller says it is (tests have no real TTY), prompts are written to {@code prompts}.
     */
    static Terminal of(InputStream in, PrintWriter prompts, boolean interactive) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        return new Terminal() {
            @Override
            public boolean interactive() {
                return interactive;
            }

            @Override
            public String readLine(String prompt) {
                if (interactive) {
                    prompts.print(prompt);
                    prompts.flush();
                }
                try {
                    String s = reader.readLine();
                    return s == null ? "" : s;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
                }
            }

            @Override
            public String readSecret(String prompt) {
                return readLine(prompt);
            }
        };
    }

    private static String firstLine(InputStream in) {
        try {
            String s = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            return s == null ? "" : s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
        }
    }
}
