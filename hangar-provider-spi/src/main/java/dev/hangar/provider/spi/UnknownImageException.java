package dev.hangar.provider.spi;

/**
 * An image name that is neither cached nor in the provider's catalog. Permanent. The message names
 * the known images and how to import one.
 */
public final class UnknownImageException extends ProviderException {
    private static final long serialVersionUID = 1L;

    /** @param message names the image, the known ones and the remedy */
    public UnknownImageException(String message) {
        super(message, true);
    }
}
