package dev.hangar.server;

/**
 * The server configuration (file, environment or flags) is invalid, or the server cannot start
 * with it. The message names the offending key or value and says what to change.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
