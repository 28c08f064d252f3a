package dev.hangar.gateway;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects audit records in memory so tests can check them; thread-safe. */
public final class RecordingAudit implements GatewayAudit {
    public final List<ConnectionRecord> connections = new CopyOnWriteArrayList<>();
    public final List<LoginRejection> rejections = new CopyOnWriteArrayList<>();
    public final List<ConnectionRecord> opened = new CopyOnWriteArrayList<>();

    @Override
    public void opened(ConnectionRecord record) {
        opened.add(record);
    }

    @Override
    public void connection(ConnectionRecord record) {
        connections.add(record);
    }

    @Override
    public void loginRejected(LoginRejection rejection) {
        rejections.add(rejection);
    }
}
