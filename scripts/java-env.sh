# Sourced by the scripts in this folder: finds a JDK 21+ and exports JAVA_HOME and JAVA.
# Order: $JAVA_HOME, the java on PATH, then the usual install places (newest first).

java_major() {
    local home="$1" version
    if [ -f "$home/release" ]; then
        version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
    fi
    if [ -z "${version:-}" ] && [ -x "$home/bin/java" ]; then
        version=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)
    fi
    version=${version#1.}
    echo "${version%%[.+-]*}"
}

find_jdk() {
    local candidates=() c major
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
    if command -v java >/dev/null 2>&1; then
        c=$(readlink -f "$(command -v java)")
        candidates+=("${c%/bin/java}")
    fi
    for c in $(ls -d /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/java/* "$HOME"/.sdkman/candidates/java/* \
                   "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home 2>/dev/null | sort -rV); do
        candidates+=("$c")
    done
    for c in "${candidates[@]}"; do
        [ -x "$c/bin/java" ] || continue
        major=$(java_major "$c")
        if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
            echo "$c"
            return 0
        fi
    done
    return 1
}

# A JDK found once is remembered beside the build (scanning costs a noticeable part of a short
# command's start); an explicit JAVA_HOME still wins when it is a JDK 21+.
JDK_CACHE="${ROOT:-.}/cli/target/.java-home"
cached_jdk() {
    local home major
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        major=$(java_major "$JAVA_HOME")
        [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null && { echo "$JAVA_HOME"; return 0; }
    fi
    [ -f "$JDK_CACHE" ] || return 1
    home=$(cat "$JDK_CACHE")
    [ -x "$home/bin/java" ] || return 1
    major=$(java_major "$home")
    [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null && echo "$home"
}

if JAVA_HOME=$(cached_jdk); then
    :
elif ! JAVA_HOME=$(find_jdk); then
    echo "campaignctl: no JDK 21 or newer found (looked at \$JAVA_HOME, java on PATH, /usr/lib/jvm, /opt/java, ~/.sdkman)." >&2
    echo "campaignctl: install one (e.g. Temurin 21+) and set JAVA_HOME to it." >&2
    exit 5
fi
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
JAVA_MAJOR=$(java_major "$JAVA_HOME")
if [ -d "$(dirname "$JDK_CACHE")" ]; then
    echo "$JAVA_HOME" > "$JDK_CACHE" 2>/dev/null || true
fi
# Maven 3.9's Guice warns about sun.misc.Unsafe on JDK 24+; the flag only exists there.
if [ "$JAVA_MAJOR" -ge 24 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
