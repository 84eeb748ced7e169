import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import java.time.Duration;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilder;
import org.neo4j.harness.Neo4jBuilders;

/**
 * A Neo4j for the tests: the in-process harness with one Bolt listener on
 * 127.0.0.1, no authentication, no HTTP.
 *
 * <pre>
 * java -cp LIB/*:CLASSES Neo4jServer [--port N] [--work-dir DIR] [--copy-from HOME] [--watch-stdin]
 * </pre>
 *
 * --copy-from starts on a copy of the databases of HOME, a Neo4j home
 * (data/databases/NAME, data/transactions/NAME) such as the one
 * {@code neo4j-admin database import} writes into.
 *
 * --port 0 (the default) lets the system pick a free port. Once Bolt accepts
 * connections it prints the line {@code bolt://127.0.0.1:PORT} on stdout (and
 * nothing else on stdout). It stays up until SIGTERM/SIGINT (clean shutdown
 * through a shutdown hook) or, with --watch-stdin, until its stdin closes, so
 * that it dies with the process that started it. The harness keeps its store
 * and logs in a random folder under --work-dir (default: java.io.tmpdir) and
 * deletes that folder on shutdown.
 */
public final class Neo4jServer {
    private static final PrintStream OUT = System.out;
    private static final PrintStream ERR = System.err;

    private Neo4jServer() {}

    public static void main(String[] args) {
        int port = 0;
        Path workDir = null;
        boolean watchStdin = false;
        Path copyFrom = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port":
                    port = Integer.parseInt(requireValue(args, ++i, "--port"));
                    break;
                case "--work-dir":
                    workDir = Paths.get(requireValue(args, ++i, "--work-dir")).toAbsolutePath();
                    break;
                case "--copy-from":
                    copyFrom = Paths.get(requireValue(args, ++i, "--copy-from")).toAbsolutePath();
                    break;
                case "--watch-stdin":
                    watchStdin = true;
                    break;
                default:
                    usage("unknown argument: " + args[i]);
            }
        }
        if (port < 0 || port > 65535) {
            usage("--port must be 0..65535, got " + port);
        }

        try {
            run(port, workDir, watchStdin, copyFrom);
        } catch (Throwable e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            ERR.println("[neo4j-server] failed to start Neo4j: " + root);
            e.printStackTrace(ERR);
            ERR.println("[neo4j-server] failed to start Neo4j: " + root);
            ERR.flush();
            // halt: do not wait for Neo4j's non-daemon threads of a half-started server
            Runtime.getRuntime().halt(1);
        }
    }

    private static void run(int port, Path workDir, boolean watchStdin, Path copyFrom) throws Exception {
        long started = System.nanoTime();
        if (workDir != null) {
            Files.createDirectories(workDir);
        }
        Neo4jBuilder builder = workDir == null
                ? Neo4jBuilders.newInProcessBuilder()
                : Neo4jBuilders.newInProcessBuilder(workDir);
        builder.withDisabledServer()
                .withConfig(HttpConnector.enabled, false)
                .withConfig(HttpsConnector.enabled, false)
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .withConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .withConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .withConfig(GraphDatabaseSettings.auth_enabled, false)
                .withConfig(GraphDatabaseSettings.routing_enabled, false)
                .withConfig(GraphDatabaseSettings.routing_listen_address, new SocketAddress("127.0.0.1", 0))
                .withConfig(GraphDatabaseSettings.udc_enabled, false)
                .withConfig(GraphDatabaseSettings.pagecache_memory, 128L * 1024 * 1024)
                .withConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // Bolt's Netty loops otherwise wait a quiet period of seconds on shutdown
                .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(3));

        if (copyFrom != null) {
            builder.copyFrom(copyFrom);
        }
        Neo4j neo4j = builder.build();

        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean closing = new AtomicBoolean(false);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!closing.compareAndSet(false, true)) {
                return;
            }
            ERR.println("[neo4j-server] shutting down");
            try {
                neo4j.close();
                ERR.println("[neo4j-server] stopped");
            } catch (Throwable e) {
                ERR.println("[neo4j-server] error during shutdown: " + e);
            } finally {
                ERR.flush();
                stopped.countDown();
            }
        }, "neo4j-server-shutdown"));

        int boltPort = neo4j.boltURI().getPort();
        long ms = (System.nanoTime() - started) / 1_000_000;
        ERR.println("[neo4j-server] Neo4j " + neo4jVersion() + " ready in " + ms + " ms (Java "
                + Runtime.version() + ", pid " + ProcessHandle.current().pid() + ")");
        ERR.flush();
        OUT.println("bolt://127.0.0.1:" + boltPort);
        OUT.flush();

        if (watchStdin) {
            Thread watcher = new Thread(() -> {
                drain(System.in);
                ERR.println("[neo4j-server] stdin closed (parent gone): exiting");
                System.exit(0);
            }, "neo4j-server-stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
        // The main thread waits; the JVM exits on a signal after the hook ran.
        stopped.await();
    }

    private static void drain(InputStream in) {
        byte[] buffer = new byte[1024];
        try {
            while (in.read(buffer) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // treat as closed
        }
    }

    private static String neo4jVersion() {
        Package p = Neo4j.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "(unknown version)" : v;
    }

    private static String requireValue(String[] args, int i, String flag) {
        if (i >= args.length) {
            usage(flag + " needs a value");
        }
        return args[i];
    }

    private static void usage(String message) {
        ERR.println("[neo4j-server] " + message);
        ERR.println("usage: java -cp LIB/*:CLASSES Neo4jServer [--port N] [--work-dir DIR] [--watch-stdin]");
        System.exit(2);
    }
}
