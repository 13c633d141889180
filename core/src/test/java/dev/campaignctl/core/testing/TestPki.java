package dev.campaignctl.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A private CA and a server certificate it signed, made at test time with the JDK's keytool: the
 * CA as PEM (for a client's trust), the server's chain and PKCS#8 key as PEM (for {@code serve
 * --tls-cert/--tls-key}), and the same key in a PKCS#12 store (for a JDK server socket).
 */
public final class TestPki {

    private static final String PASSWORD = "test-store";

    public final Path caPem;
    public final Path chainPem;
    public final Path keyPem;
    private final KeyStore server;

    private TestPki(Path caPem, Path chainPem, Path keyPem, KeyStore server) {
        this.caPem = caPem;
        this.chainPem = chainPem;
        this.keyPem = keyPem;
        this.server = server;
    }

    /**
     * @param dir where the files go
     * @param san the server certificate's subject alternative names, e.g. {@code ip:127.0.0.1,dns:localhost}
     */
    public static TestPki create(Path dir, String san) throws Exception {
        Files.createDirectories(dir);
        Path ca = dir.resolve("ca.p12");
        Path serverStore = dir.resolve("server.p12");
        Path caPem = dir.resolve("ca.pem");
        Path request = dir.resolve("server.csr");
        Path signed = dir.resolve("server.pem");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=campaignctl test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-exportcert", "-alias", "ca", "-rfc", "-keystore", ca.toString(), "-storepass", PASSWORD, "-file", caPem.toString());
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=campaignctl test server",
                "-validity", "2", "-keystore", serverStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool("-certreq", "-alias", "server", "-keystore", serverStore.toString(), "-storepass", PASSWORD, "-file", request.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD, "-infile", request.toString(),
                "-outfile", signed.toString(), "-rfc", "-ext", "san=" + san, "-validity", "2");
        keytool("-importcert", "-alias", "ca", "-noprompt", "-file", caPem.toString(), "-keystore", serverStore.toString(),
                "-storepass", PASSWORD);
        keytool("-importcert", "-alias", "server", "-file", signed.toString(), "-keystore", serverStore.toString(),
                "-storepass", PASSWORD);
        KeyStore server = load(serverStore);
        Path chainPem = dir.resolve("server-chain.pem");
        Path keyPem = dir.resolve("server-key.pem");
        List<String> chain = new ArrayList<>();
        for (Certificate certificate : server.getCertificateChain("server")) {
            chain.add(pem("CERTIFICATE", certificate.getEncoded()));
        }
        Files.writeString(chainPem, String.join("", chain));
        PrivateKey key = (PrivateKey) server.getKey("server", PASSWORD.toCharArray());
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
        return new TestPki(caPem, chainPem, keyPem, server);
    }

    /** A server-side TLS context with the signed key and its chain. */
    public SSLContext serverContext() throws Exception {
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(server, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        return context;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static KeyStore load(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            return store;
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + output);
        }
    }
}
