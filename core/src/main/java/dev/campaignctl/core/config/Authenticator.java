package dev.campaignctl.core.config;

import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks API credentials against the stored username and PBKDF2 hash. The slow hash runs once per
 * distinct credential; afterwards a SHA-256 of the verified pair is remembered, so a busy client does
 * not pay 100 ms of hashing per request. Comparisons are constant-time.
 */
public final class Authenticator {

    private static final int REMEMBERED = 64;

    private final byte[] username;
    private final String passwordHash;
    private final Map<String, Boolean> verified = new ConcurrentHashMap<>();

    public Authenticator(String username, String passwordHash) {
        this.username = PasswordHash.sha256(username);
        this.passwordHash = passwordHash;
    }

    public boolean verify(String user, String password) {
        boolean userMatches = MessageDigest.isEqual(username, PasswordHash.sha256(user));
        String key = Base64.getEncoder().encodeToString(PasswordHash.sha256(user + '\0' + password));
        if (verified.containsKey(key)) {
            return userMatches;
        }
        boolean passwordMatches = PasswordHash.verify(password, passwordHash);
        if (userMatches && passwordMatches) {
            if (verified.size() >= REMEMBERED) {
                verified.clear();
            }
            verified.put(key, Boolean.TRUE);
            return true;
        }
        return false;
    }
}
