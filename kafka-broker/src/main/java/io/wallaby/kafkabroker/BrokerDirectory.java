package io.wallaby.kafkabroker;

import java.io.IOException;
import java.io.Writer;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * What is checked and written before Kafka is loaded, so that the usual mistakes end in one clear line instead of
 * a Kafka stack trace: an unwritable {@code --dir}, a directory another broker is using, a port in use.
 */
final class BrokerDirectory {

    /** Kafka's lock file in each log directory (LogManager's {@code .lock}). */
    private static final String KAFKA_LOCK_FILE = ".lock";

    /** Written when a log directory is formatted; its presence means "formatted". */
    private static final String META_PROPERTIES = "meta.properties";

    private BrokerDirectory() {
    }

    /**
     * Creates the directories, fails if another broker holds them, and writes {@code server.properties} from the
     * settings (every start writes it anew: the flags are the configuration).
     */
    static void prepare(BrokerSettings settings) throws StartFailedException {
        Path dir = settings.dir();
        try {
            Files.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw new StartFailedException("cannot create " + settings.dataDir() + " (" + reason(e)
                    + "): choose a writable directory with --dir", e);
        }
        if (lockedByAnotherProcess(settings.dataDir())) {
            throw new StartFailedException(dir + " is in use by another Kafka broker: stop that broker or choose "
                    + "another directory with --dir");
        }
        try (Writer out = Files.newBufferedWriter(settings.propertiesFile(), StandardCharsets.UTF_8)) {
            out.write("# Written by wallaby-kafka-broker at every start, from its flags; edits are overwritten.\n");
            for (Map.Entry<String, String> entry : settings.serverProperties().entrySet()) {
                out.write(entry.getKey() + "=" + entry.getValue() + "\n");
            }
        } catch (IOException e) {
            throw new StartFailedException("cannot write " + settings.propertiesFile() + " (" + reason(e)
                    + "): choose a writable directory with --dir", e);
        }
    }

    /** Whether the storage was formatted by an earlier start (then it keeps its cluster id, topics and records). */
    static boolean isFormatted(BrokerSettings settings) {
        return Files.isRegularFile(settings.dataDir().resolve(META_PROPERTIES));
    }

    /** Fails with a line saying what to do when something already listens on {@code host:port}. */
    static void checkPortFree(String host, int port, String option) throws StartFailedException {
        try (ServerSocket socket = new ServerSocket()) {
            // As a listener binds: connections of an earlier broker still in TIME_WAIT do not count as "in use".
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            if (String.valueOf(e.getMessage()).contains("in use")) {
                throw new StartFailedException("port " + port + " on " + host + " is in use: stop the other process "
                        + "or choose another port with " + option, e);
            }
            throw new StartFailedException("cannot listen on " + host + ":" + port + " (" + option + "): "
                    + e.getMessage() + ": check --host", e);
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            throw new StartFailedException("cannot listen on " + host + ":" + port + " (" + option + "): "
                    + e.getMessage() + ": check --host", e);
        }
    }

    private static boolean lockedByAnotherProcess(Path dataDir) throws StartFailedException {
        Path lockFile = dataDir.resolve(KAFKA_LOCK_FILE);
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (IOException e) {
            throw new StartFailedException("cannot write " + lockFile + " (" + reason(e)
                    + "): choose a writable directory with --dir", e);
        }
    }

    /** A short reason for a file error: the JDK's messages are often just the path. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException missing) {
            return missing.getFile() + " does not exist and cannot be created";
        }
        if (e instanceof FileAlreadyExistsException || e instanceof NotDirectoryException) {
            return "a file is in the way: " + ((FileSystemException) e).getFile();
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason() + (fs.getFile() == null ? "" : ": " + fs.getFile());
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
