package dev.berth.controller.backup;

import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.docker.DockerHostException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Ends the processes of one backup or restore run inside a database container. Docker keeps an exec's process running
 * when its client goes away (a timeout, a cancelled run, a broken stream), and a dump whose output nobody reads blocks
 * for ever holding its snapshot. Every run's exec carries {@link #MARKER}{@code =<run id>} in its environment, which
 * its children inherit; this runs a second exec that finds the processes whose {@code /proc/<pid>/environ} holds it
 * (readable for processes of the exec's own user, the one the dump ran as), sends SIGTERM (leaves first, see
 * {@link #END_SCRIPT}) for up to 10 s, then SIGKILL, and checks that none is left. It needs only {@code sh},
 * {@code tr}, {@code grep}, {@code sed}, {@code cut}, {@code kill} and {@code sleep}, which every engine image has. A zombie has an empty environment and is not counted.
 */
public final class BackupProcesses {
    public static final String MARKER = "BERTH_BACKUP_RUN";
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Signals only the marked processes none of whose children is marked (the leaves), then looks again: a shell step
     * around a tool (MongoDB's, ClickHouse's) then sees its tool end and finishes itself (removing its client config
     * file) instead of being killed first. That order also keeps a killed process from being orphaned: an orphan is
     * re-parented to the container's PID 1 — the engine itself — and PostgreSQL's postmaster takes any child it reaps
     * that was killed by a signal for a crashed backend and restarts every session.
     */
    private static final String END_SCRIPT = "m=\"" + MARKER + "=$1\"; "
            + "mine() { for e in /proc/[0-9]*/environ; do "
            + "if { tr '\\000' '\\n' <\"$e\"; } 2>/dev/null | grep -qxF \"$m\"; then p=${e#/proc/}; "
            + "echo \"${p%/environ}\"; fi; "
            + "done; }; "
            + "leaves() { all=$(mine); parents=' '; for p in $all; do "
            + "parents=\"$parents$(sed 's/.*) //' /proc/$p/stat 2>/dev/null | cut -d' ' -f2) \"; done; "
            + "for p in $all; do case \"$parents\" in *\" $p \"*) ;; *) echo \"$p\";; esac; done; }; "
            + "n=0; while [ $n -lt 20 ]; do l=$(leaves); [ -z \"$l\" ] && exit 0; "
            + "if [ $n -lt 10 ]; then s=TERM; else s=KILL; fi; kill -s $s $l 2>/dev/null; sleep 1; n=$((n+1)); done; "
            + "echo \"still running: $(mine | tr '\\n' ' ')\" >&2; exit 1";

    private BackupProcesses() {
    }

    /** The environment entry that marks the processes of run {@code runId}. */
    public static String marker(UUID runId) {
        return MARKER + "=" + runId;
    }

    /** The exec that ends run {@code runId}'s processes (exit 0 when none is left). */
    static List<String> endCommand(UUID runId) {
        return List.of("sh", "-c", END_SCRIPT, "berth-end-run", runId.toString());
    }

    /**
     * Ends run {@code runId}'s processes in {@code container}; empty when none is left, else why not. Runs even when the
     * calling thread was interrupted (a cancelled run must still end its dump); the interrupt is kept.
     */
    public static java.util.Optional<String> end(DockerHost docker, String container, UUID runId) {
        boolean interrupted = Thread.interrupted();
        try {
            ToolOutputTail err = new ToolOutputTail(1024);
            long code = docker.exec(container, endCommand(runId), List.of(), null, OutputStream.nullOutputStream(),
                    err, KILL_TIMEOUT);
            return code == 0 ? java.util.Optional.empty()
                    : java.util.Optional.of("ending the run's processes failed (exit " + code + "): "
                    + err.lastLines(3, List.of()));
        } catch (DockerHostException e) {
            return java.util.Optional.of("ending the run's processes failed: " + e.getMessage());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
