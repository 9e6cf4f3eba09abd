package dev.berth.controller.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResponseLimitsTest {

    private static final Duration CALL = Duration.ofSeconds(60);
    private static final Duration IDLE = Duration.ofMinutes(5);

    private static Duration of(String method, String path) {
        return ResponseLimits.of(method, path, CALL, IDLE);
    }

    @Test
    void callsGetTheCallLimitWithOrWithoutTheApiVersionPrefix() {
        assertThat(of("GET", "/_ping")).isEqualTo(CALL);
        assertThat(of("GET", "/v1.41/containers/abc/json")).isEqualTo(CALL);
        assertThat(of("GET", "/containers/json?all=1&filters=%7B%7D")).isEqualTo(CALL);
        assertThat(of("POST", "/v1.41/containers/create?name=web")).isEqualTo(CALL);
        assertThat(of("POST", "/v1.41/containers/abc/start")).isEqualTo(CALL);
        assertThat(of("DELETE", "/v1.41/containers/abc?force=true")).isEqualTo(CALL);
        assertThat(of("POST", "/v1.41/exec/abc/json")).isEqualTo(CALL);
        assertThat(of("GET", "/v1.41/images/berth-test/httpd:1/json")).isEqualTo(CALL);
        // A container named like a stream endpoint is still a call.
        assertThat(of("GET", "/v1.41/containers/logs/json")).isEqualTo(CALL);
    }

    @Test
    void streamsGetTheIdleLimit() {
        assertThat(of("POST", "/v1.41/images/create?fromImage=nginx&tag=1")).isEqualTo(IDLE);
        assertThat(of("GET", "/v1.41/containers/abc/logs?follow=true&stdout=true")).isEqualTo(IDLE);
        assertThat(of("POST", "/v1.41/exec/0123abc/start")).isEqualTo(IDLE);
        assertThat(of("POST", "/containers/abc/attach?stream=1")).isEqualTo(IDLE);
        assertThat(of("POST", "/v1.41/containers/abc/wait")).isEqualTo(IDLE);
        assertThat(of("GET", "/v1.41/events?since=1")).isEqualTo(IDLE);
        assertThat(of("GET", "/v1.41/containers/abc/stats")).isEqualTo(IDLE);
        assertThat(of("POST", "/v1.41/images/registry.example/app/push?tag=2")).isEqualTo(IDLE);
        // The same paths with other methods are calls.
        assertThat(of("GET", "/v1.41/images/create")).isEqualTo(CALL);
        assertThat(of("POST", "/v1.41/containers/abc/logs")).isEqualTo(CALL);
    }

    @Test
    void stopAndRestartAlsoWaitForTheGracePeriodDockerIsGiven() {
        assertThat(of("POST", "/v1.41/containers/abc/stop?t=30")).isEqualTo(CALL.plusSeconds(30));
        assertThat(of("POST", "/v1.41/containers/abc/restart?signal=TERM&t=5")).isEqualTo(CALL.plusSeconds(5));
        assertThat(of("POST", "/v1.41/containers/abc/stop?t=0")).isEqualTo(CALL);
        // Docker's default grace is 10 s; "wait forever" (-1) and nonsense fall back to what can be bounded.
        assertThat(of("POST", "/v1.41/containers/abc/stop")).isEqualTo(CALL.plusSeconds(10));
        assertThat(of("POST", "/v1.41/containers/abc/stop?t=-1")).isEqualTo(CALL);
        assertThat(of("POST", "/v1.41/containers/abc/stop?t=99999999999999")).isEqualTo(CALL.plusSeconds(10));
        assertThat(of("POST", "/v1.41/containers/abc/kill")).isEqualTo(CALL);
    }
}
