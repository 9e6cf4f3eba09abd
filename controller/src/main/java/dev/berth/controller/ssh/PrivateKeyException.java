package dev.berth.controller.ssh;

/**
 * The private key could not be read. The message says why in general terms (format, passphrase) and never
 * contains key material; the underlying parser's exception is deliberately not attached, as parsers may quote
 * their input.
 */
public final class PrivateKeyException extends Exception {
    public PrivateKeyException(String message) {
        super(message);
    }
}
