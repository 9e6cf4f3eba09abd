package dev.berth.controller.server;

/**
 * What one check of a Server's host found: the facts learnt (partial when it stopped early), whether Berth created
 * the network, and the first problem met, if any ({@code problemReason} is a {@link ServerReasons} constant).
 */
public record HostCheck(Facts facts, String problemReason, String problemMessage, boolean networkCreated) {

    /** Facts about the host; null where not learnt in this check. */
    public record Facts(String hostKeyFingerprint, String address, String os, String dockerVersion,
            String dockerApiVersion, String architecture, Integer cpus, Long memoryBytes, String socketPath,
            String network) {

        public static Facts none(String address) {
            return new Facts(null, address, null, null, null, null, null, null, null, null);
        }
    }

    public static HostCheck passed(Facts facts, boolean networkCreated) {
        return new HostCheck(facts, null, null, networkCreated);
    }

    public static HostCheck failed(Facts facts, String reason, String message) {
        return new HostCheck(facts, reason, message, false);
    }

    public boolean ok() {
        return problemReason == null;
    }

    /** The SSH connection was made and verified (the problem, if any, is Docker's). */
    public boolean reached() {
        return ok() || ServerReasons.DOCKER_UNAVAILABLE.equals(problemReason)
                || ServerReasons.DOCKER_TOO_OLD.equals(problemReason);
    }
}
