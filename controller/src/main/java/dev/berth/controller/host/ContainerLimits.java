package dev.berth.controller.host;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** {@code spec.resources} in Docker's units, for every kind that runs a container. */
public final class ContainerLimits {
    private ContainerLimits() {
    }

    /** Docker's units: b, k, m, g are powers of 1024 (Ki, Mi, Gi too); a bare number is bytes. */
    public static Long memoryBytes(String memory) {
        if (memory == null || memory.isBlank()) {
            return null;
        }
        String m = memory.trim();
        int unitStart = 0;
        while (unitStart < m.length() && Character.isDigit(m.charAt(unitStart))) {
            unitStart++;
        }
        long n = Long.parseLong(m.substring(0, unitStart));
        long factor = switch (m.substring(unitStart).toLowerCase()) {
            case "", "b" -> 1L;
            case "k", "ki" -> 1L << 10;
            case "m", "mi" -> 1L << 20;
            case "g", "gi" -> 1L << 30;
            default -> throw new IllegalArgumentException("not a memory size: " + memory);
        };
        return Math.multiplyExact(n, factor);
    }

    public static Long nanoCpus(String cpus) {
        if (cpus == null || cpus.isBlank()) {
            return null;
        }
        return new BigDecimal(cpus.trim()).movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

}
