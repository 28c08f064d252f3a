package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ProviderListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps what a provider reported, for assertions. Thread-safe. */
final class RecordingListener implements ProviderListener {
    final List<Map.Entry<String, String>> events = new CopyOnWriteArrayList<>();
    final List<Map.Entry<String, Duration>> timings = new CopyOnWriteArrayList<>();

    @Override
    public void event(String type, String message) {
        events.add(Map.entry(type, message));
    }

    @Override
    public void phaseTiming(String phase, Duration duration) {
        timings.add(Map.entry(phase, duration));
    }

    List<String> eventTypes() {
        return events.stream().map(Map.Entry::getKey).toList();
    }

    List<String> phases() {
        return timings.stream().map(Map.Entry::getKey).toList();
    }
}
