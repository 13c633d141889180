package dev.campaignctl.core.config;

/** An API username and password. {@link #toString()} never shows the password. */
public record Credentials(String username, String password) {

    public static final String DEFAULT_USERNAME = "admin";

    @Override
    public String toString() {
        return "Credentials[" + username + ", password hidden]";
    }
}
