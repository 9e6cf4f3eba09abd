package dev.berth.controller.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Docker CLI as the benchmarks' baseline: {@code DOCKER_HOST=ssh://…}, with {@code PATH} led by a directory whose
 * {@code ssh} wrapper uses the bed's key and pinned host keys. Also the benchmarks' one percentile.
 */
record DockerCli(String dockerHost, String sshWrapperDir) {

    /** Runs {@code docker args…}; returns its output, or fails with it. */
    String run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("DOCKER_HOST", dockerHost);
        pb.environment().put("PATH", sshWrapperDir + ":" + System.getenv("PATH"));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("docker " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    String run(String... args) throws IOException, InterruptedException {
        return run(List.of(args));
    }

    /** Nearest-rank percentile. */
    static double percentile(List<Double> values, double p) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
