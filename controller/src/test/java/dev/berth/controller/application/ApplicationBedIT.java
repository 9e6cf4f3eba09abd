package dev.berth.controller.application;

import dev.berth.api.v1alpha1.Application;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Application ITs on the test bed share: a fresh {@link AppTestBed} per test, the Applications it created,
 * and a clean-up that stops the operators before sweeping their containers (a running one would put them back).
 */
abstract class ApplicationBedIT {
    static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dataDir;
    AppTestBed t;
    final List<Application> created = new ArrayList<>();

    @BeforeEach
    void bed() {
        t = new AppTestBed(dataDir);
    }

    @AfterEach
    void cleanUp() {
        if (t == null) {
            return; // the test bed was unavailable: the test was skipped before anything started
        }
        try {
            t.stopOperators();
            t.sweep(created);
        } finally {
            t.close();
        }
    }

    Application create(Application app) {
        Application a = t.client.resource(app).create();
        created.add(a);
        return a;
    }
}
