package dev.berth.controller.ssh;

import org.slf4j.LoggerFactory;

/**
 * Keeps libraries from logging secrets whatever the logging configuration says (each of these was seen doing it
 * at DEBUG on the test bed):
 * <ul>
 *   <li>{@code com.hierynomus.asn1}: the ASN.1 reader sshj uses for PEM keys logs every integer it parses — for an
 *       RSA key its private exponent and primes;</li>
 *   <li>{@code com.github.dockerjava.core.command}: logs each command's toString, e.g. a container's environment
 *       values and registry credentials;</li>
 *   <li>{@code org.apache.hc.client5.http.wire} / {@code .headers}: log HTTP bodies and headers (the same values, and
 *       {@code X-Registry-Auth}).</li>
 * </ul>
 * They are held at WARN, so real problems still show.
 */
public final class SensitiveLoggers {

    private static final String[] LOGGERS = {
        "com.hierynomus.asn1",
        "com.github.dockerjava.core.command",
        "org.apache.hc.client5.http.wire",
        "org.apache.hc.client5.http.headers",
    };

    private SensitiveLoggers() {
    }

    public static void silence() {
        for (String name : LOGGERS) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger
                    && (logger.getLevel() == null || !logger.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))) {
                logger.setLevel(ch.qos.logback.classic.Level.WARN);
            }
        }
    }
}
