package dev.hangar.gateway;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The few Linux socket calls the JDK does not offer, through the FFM API (JDK 25, no JNI): a unix
 * stream listener whose connections may carry a file descriptor ({@code SCM_RIGHTS}), the peer's
 * credentials ({@code SO_PEERCRED}), and plain {@code recv}/{@code send}/{@code shutdown} on a raw
 * descriptor (the socket slirp spawned a guest forward's command with, ADR 0019). Linux x86-64 and
 * aarch64 layouts ({@code msghdr}, {@code cmsghdr}, {@code sockaddr_un}, {@code ucred}). Every
 * method throws {@link IOException} naming the call and its {@code strerror} on failure and retries
 * {@code EINTR}. Thread-safe (no state besides the bindings).
 */
final class UnixSockets {
    static final int SHUT_RD = 0;
    static final int SHUT_WR = 1;
    static final int SHUT_RDWR = 2;

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_TYPE = 3;
    private static final int SO_PEERCRED = 17;
    private static final int SO_DOMAIN = 39;
    private static final int SCM_RIGHTS = 1;
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_NODELAY = 1;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int EINTR = 4;
    /** Also EWOULDBLOCK on Linux. */
    private static final int EAGAIN = 11;

    private static final int SUN_PATH = 108;

    /** {@code struct msghdr}: name, namelen, iov, iovlen, control, controllen, flags. */
    private static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS,
            JAVA_INT,
            MemoryLayout.paddingLayout(4),
            ADDRESS,
            JAVA_LONG,
            ADDRESS,
            JAVA_LONG,
            JAVA_INT,
            MemoryLayout.paddingLayout(4));
    /** {@code CMSG_SPACE(sizeof(int))}: a 16-byte header and the int padded to 8. */
    private static final long CMSG_SPACE_ONE_FD = 24;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SOCKET = call("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle BIND = call("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle LISTEN = call("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle ACCEPT4 = call("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final MethodHandle RECVMSG = call("recvmsg", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle RECV = call("recv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SEND = call("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SHUTDOWN = call("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle CLOSE = call("close", JAVA_INT, JAVA_INT);
    private static final MethodHandle GETSOCKOPT =
            call("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle SETSOCKOPT =
            call("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    private static final MethodHandle GETEUID = LINKER.downcallHandle(
            LINKER.defaultLookup().find("geteuid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private UnixSockets() {}

    private static MethodHandle call(String name, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(
                LINKER.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(result, args),
                Linker.Option.captureCallState("errno"));
    }

    /** What a connection to a listener brought: a passed descriptor, or the first bytes of a stream. */
    sealed interface Received {
        /** @param fd the descriptor the peer passed (close-on-exec), owned by the caller now */
        record Passed(int fd) implements Received {}

        /** @param first the first bytes the peer sent on the connection itself (empty at EOF) */
        record Stream(byte[] first) implements Received {}
    }

    /** The peer of a unix socket connection, from {@code SO_PEERCRED} (the kernel's, not the peer's word). */
    record Peer(int pid, int uid) {}

    /**
     * @return a listening unix stream socket bound to {@code path} (which must not exist)
     * @throws IOException naming the path and the failing call
     */
    static int listen(Path path) throws IOException {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH) throw new IOException("unix socket path too long (" + name.length + "): " + path);
        int fd = check("socket", (int) invoke(SOCKET, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment addr = a.allocate(2 + SUN_PATH);
            addr.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, addr, JAVA_BYTE, 2, name.length);
            check("bind " + path, (int) invoke(BIND, fd, addr, 2 + name.length + 1));
            check("listen " + path, (int) invoke(LISTEN, fd, 16));
            return fd;
        } catch (IOException | RuntimeException e) {
            close(fd);
            throw e;
        }
    }

    /** @return the next connection on {@code listener} (close-on-exec); throws once it is shut down */
    static int accept(int listener) throws IOException {
        while (true) {
            int fd = (int) invoke(ACCEPT4, listener, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
            if (fd >= 0) return fd;
            if (errno() != EINTR) throw error("accept");
        }
    }

    /** @return the connected peer's pid and uid, as the kernel recorded them at connect */
    static Peer peer(int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cred = a.allocate(12);
            getsockopt(a, fd, SOL_SOCKET, SO_PEERCRED, cred);
            return new Peer(cred.get(JAVA_INT, 0), cred.get(JAVA_INT, 4));
        }
    }

    /** @return whether {@code fd} is a TCP stream socket (IPv4 or IPv6), as slirp's socket pair is */
    static boolean isTcpStream(int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            getsockopt(a, fd, SOL_SOCKET, SO_DOMAIN, v);
            int domain = v.get(JAVA_INT, 0);
            getsockopt(a, fd, SOL_SOCKET, SO_TYPE, v);
            return (domain == 2 || domain == 10) && v.get(JAVA_INT, 0) == SOCK_STREAM;
        }
    }

    /** @return this process's effective uid */
    static int effectiveUid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("geteuid", t);
        }
    }

    /**
     * Reads the first message on a connection: one descriptor passed with {@code SCM_RIGHTS} (its
     * one data byte dropped), or the stream's first bytes when none came with them.
     */
    static Received receive(int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment data = a.allocate(4096);
            MemorySegment iov = a.allocate(16, 8);
            iov.set(ADDRESS, 0, data);
            iov.set(JAVA_LONG, 8, data.byteSize());
            MemorySegment control = a.allocate(CMSG_SPACE_ONE_FD, 8);
            MemorySegment msg = a.allocate(MSGHDR);
            msg.set(ADDRESS, 16, iov);
            msg.set(JAVA_LONG, 24, 1);
            msg.set(ADDRESS, 32, control);
            msg.set(JAVA_LONG, 40, CMSG_SPACE_ONE_FD);
            long n;
            while ((n = (long) invoke(RECVMSG, fd, msg, MSG_CMSG_CLOEXEC)) < 0) {
                if (errno() != EINTR) throw error("recvmsg");
            }
            long controlLength = msg.get(JAVA_LONG, 40);
            if (controlLength >= 20
                    && control.get(JAVA_INT, 8) == SOL_SOCKET
                    && control.get(JAVA_INT, 12) == SCM_RIGHTS) {
                return new Received.Passed(control.get(JAVA_INT, 16));
            }
            return new Received.Stream(data.asSlice(0, n).toArray(JAVA_BYTE));
        }
    }

    /** Turns Nagle's algorithm off on a TCP socket. */
    static void noDelay(int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocateFrom(JAVA_INT, 1);
            check("setsockopt TCP_NODELAY", (int) invoke(SETSOCKOPT, fd, IPPROTO_TCP, TCP_NODELAY, one, 4));
        }
    }

    /** @return bytes read into {@code buf} (at most its size), 0 at end of stream */
    static int recv(int fd, MemorySegment buf) throws IOException {
        while (true) {
            long n;
            try {
                n = (long) RECV.invokeExact(STATE.get(), fd, buf, buf.byteSize(), 0);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (n >= 0) return (int) n;
            if (errno() != EINTR) throw error("recv");
        }
    }

    /** Writes all of {@code buf} (blocking; no SIGPIPE: a closed peer is an {@link IOException}). */
    static void sendAll(int fd, MemorySegment buf) throws IOException {
        send(fd, buf, MSG_NOSIGNAL);
    }

    /**
     * Writes as much of {@code buf} as the socket takes now, without blocking ({@code MSG_DONTWAIT};
     * no SIGPIPE).
     *
     * @return bytes written, from 0 (the socket's buffer is full) to {@code buf.byteSize()}
     * @throws IOException when the peer is gone or the socket is shut down
     */
    static long sendNow(int fd, MemorySegment buf) throws IOException {
        return send(fd, buf, MSG_NOSIGNAL | MSG_DONTWAIT);
    }

    /** {@code send(2)} until all of {@code buf} is written, or, with {@code MSG_DONTWAIT}, until the socket is full. */
    private static long send(int fd, MemorySegment buf, int flags) throws IOException {
        long off = 0;
        while (off < buf.byteSize()) {
            long n;
            try {
                n = (long) SEND.invokeExact(STATE.get(), fd, buf.asSlice(off), buf.byteSize() - off, flags);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (n >= 0) off += n;
            else if (errno() == EAGAIN && (flags & MSG_DONTWAIT) != 0) return off;
            else if (errno() != EINTR) throw error("send");
        }
        return off;
    }

    /** {@code shutdown(2)}; a socket not connected (any more) is not an error. */
    static void shutdown(int fd, int how) {
        invoke(SHUTDOWN, fd, how);
    }

    /** {@code close(2)}, errors ignored (the descriptor is gone either way on Linux). */
    static void close(int fd) {
        invoke(CLOSE, fd);
    }

    private static void getsockopt(Arena a, int fd, int level, int name, MemorySegment value) throws IOException {
        MemorySegment len = a.allocateFrom(JAVA_INT, (int) value.byteSize());
        check("getsockopt", (int) invoke(GETSOCKOPT, fd, level, name, value, len));
    }

    /** Per thread: the capture segment a call's errno lands in (read right after the call). */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

    private static int errno() {
        return (int) ERRNO.get(STATE.get(), 0L);
    }

    private static Object invoke(MethodHandle h, Object... args) {
        Object[] all = new Object[args.length + 1];
        all[0] = STATE.get();
        System.arraycopy(args, 0, all, 1, args.length);
        try {
            return h.invokeWithArguments(all);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int check(String what, int result) throws IOException {
        if (result < 0) throw error(what);
        return result;
    }

    private static IOException error(String what) {
        int errno = errno();
        String text;
        try {
            text = ((MemorySegment) STRERROR.invokeExact(errno))
                    .reinterpret(256)
                    .getString(0);
        } catch (Throwable t) {
            text = "errno " + errno;
        }
        return new IOException(what + ": " + text);
    }
}
