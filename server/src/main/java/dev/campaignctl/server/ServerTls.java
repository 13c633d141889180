package dev.campaignctl.server;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The certificate chain and private key every service of a {@code serve --tls-cert FILE --tls-key
 * FILE} process serves HTTPS with, read once at start through Helidon's PEM support.
 * <pre>{@code
 * ServerTls tls = ServerTls.fromPem(Path.of("server-chain.pem"), Path.of("server-key.pem"));
 * }</pre>
 * Files that cannot be used are refused at start with one line naming the file, rather than by a
 * server that starts and then fails every handshake.
 */
public final class ServerTls {

    private final Tls tls;

    private ServerTls(Tls tls) {
        this.tls = tls;
    }

    /**
     * @param certificateChain PEM: the server's certificate first, then any intermediates
     * @param privateKey       PEM, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY})
     * @throws IllegalArgumentException with a one-line message naming the file at fault
     */
    public static ServerTls fromPem(Path certificateChain, Path privateKey) {
        readable(certificateChain, "--tls-cert");
        readable(privateKey, "--tls-key");
        List<X509Certificate> chain = chain(certificateChain);
        PrivateKey key = key(privateKey);
        if (!matches(key, chain.getFirst().getPublicKey())) {
            throw new IllegalArgumentException("--tls-key " + privateKey + " is not the key of the certificate in " + certificateChain);
        }
        return new ServerTls(Tls.builder().privateKey(key).privateKeyCertChain(chain).build());
    }

    private static void readable(Path file, String option) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("cannot read " + option + " " + file + ": no such file");
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read " + option + " " + file + ": permission denied");
        }
    }

    private static List<X509Certificate> chain(Path file) {
        List<X509Certificate> chain;
        try {
            chain = Keys.builder().pem(pem -> pem.certChain(Resource.create(file))).build().certChain();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--tls-cert " + file + " is not a PEM certificate chain: " + oneLine(e));
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("--tls-cert " + file + " holds no PEM certificate (BEGIN CERTIFICATE)");
        }
        return chain;
    }

    private static PrivateKey key(Path file) {
        try {
            return Keys.builder().pem(pem -> pem.key(Resource.create(file))).build().privateKey()
                    .orElseThrow(() -> new IllegalArgumentException("no key found"));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--tls-key " + file + " is not an unencrypted PEM PKCS#8 private key"
                    + " (BEGIN PRIVATE KEY): " + oneLine(e));
        }
    }

    /**
     * Whether {@code key} signs what {@code certificateKey} verifies. Key types other than RSA, EC
     * and EdDSA are left to the first handshake.
     */
    private static boolean matches(PrivateKey key, PublicKey certificateKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return true;
        }
        byte[] probe = "campaignctl serve --tls-key".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificateKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String oneLine(Exception e) {
        Throwable deepest = e;
        while (deepest.getCause() != null && deepest.getCause() != deepest) {
            deepest = deepest.getCause();
        }
        String message = deepest.getMessage();
        return message == null || message.isBlank() ? deepest.getClass().getSimpleName() : message.lines().findFirst().orElse("").strip();
    }

    Tls tls() {
        return tls;
    }
}
