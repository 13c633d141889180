package dev.campaignctl.core.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Which certificate authorities an https server's certificate may chain to: the JVM's own, or only
 * those of a PEM file — a private CA, as with curl's {@code --cacert}.
 * <pre>{@code
 * Trust trust = caFile == null ? Trust.JVM : Trust.pemFile(Path.of(caFile));
 * }</pre>
 * Two instances for the same file are equal, so the clients built for them are shared. There is
 * deliberately no way to trust every certificate.
 */
public final class Trust {

    /** The JVM's trust store (its {@code cacerts}, or {@code javax.net.ssl.trustStore}). */
    public static final Trust JVM = new Trust(null, null);

    private final Path caFile;
    private final SSLContext context;

    private Trust(Path caFile, SSLContext context) {
        this.caFile = caFile;
        this.context = context;
    }

    /**
     * The certificates of a PEM file (one or more {@code BEGIN CERTIFICATE} blocks), read now.
     *
     * @throws IllegalArgumentException with a one-line message when the file cannot be read or holds no certificate
     */
    public static Trust pemFile(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        Collection<? extends Certificate> certificates = read(absolute);
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int index = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + index++, certificate);
            }
            TrustManagerFactory managers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            managers.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, managers.getTrustManagers(), null);
            return new Trust(absolute, context);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use the CA file " + absolute + ": " + oneLine(e));
        }
    }

    private static Collection<? extends Certificate> read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("the CA file " + file + " holds no PEM certificate");
            }
            return certificates;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read the CA file " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the CA file " + file + ": " + oneLine(e));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("the CA file " + file + " is not a PEM certificate: " + oneLine(e));
        }
    }

    /** An exception's message on one line; its class name when it has none. */
    static String oneLine(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("").strip();
    }

    /** The context for https connections, or null for the JVM's default. */
    SSLContext sslContext() {
        return context;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Trust that && Objects.equals(caFile, that.caFile);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(caFile);
    }

    @Override
    public String toString() {
        return caFile == null ? "the JVM's CAs" : "the CAs in " + caFile;
    }
}
