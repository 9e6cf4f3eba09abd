package dev.berth.controller.ssh;

import org.slf4j.LoggerFactory;

/**
 * Keeps libraries from logging key material whatever the logging configuration says: the ASN.1 reader sshj uses
 * for PEM keys logs every integer it parses at DEBUG — for an RSA key, its private exponent and primes.
 */
final class SensitiveLoggers {

    private static final String[] LOGGERS = {"com.hierynomus.asn1"};

    private SensitiveLoggers() {
    }

    static void silence() {
        for (String name : LOGGERS) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
                logger.setLevel(ch.qos.logback.classic.Level.WARN);
            }
        }
    }
}
