package dev.berth.controller.ssh;

/** How a remote command ended: its exit status (null if the host sent none, e.g. killed by a signal). */
public record ExecResult(Integer exitStatus, String exitSignal) {
    public boolean succeeded() {
        return exitStatus != null && exitStatus == 0;
    }
}
