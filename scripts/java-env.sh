# Sourced by the scripts in this folder: finds a JDK 21+ and exports JAVA_HOME and JAVA.
# Order: $JAVA_HOME, the java on PATH, then the usual install places (newest first).

# Sets MAJOR to the feature version of the JDK at $1 (empty when unknown). Reads the release file
# in bash itself: a short command's start is measured in milliseconds, and each forked sed or
# subshell costs several of them.
java_major() {
    local home="$1" line version=""
    MAJOR=""
    if [ -f "$home/release" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            case "$line" in
                JAVA_VERSION=*) version=${line#JAVA_VERSION=}; version=${version//\"/}; break ;;
            esac
        done < "$home/release"
    fi
    if [ -z "$version" ] && [ -x "$home/bin/java" ]; then
        version=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)
    fi
    version=${version#1.}
    MAJOR=${version%%[.+-]*}
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
        java_major "$c"
        major=$MAJOR
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
# Sets FOUND to a JDK 21+ without scanning: $JAVA_HOME when it is one, else the remembered one.
cached_jdk() {
    local home
    FOUND=""
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        java_major "$JAVA_HOME"
        [ -n "$MAJOR" ] && [ "$MAJOR" -ge 21 ] 2>/dev/null && { FOUND=$JAVA_HOME; return 0; }
    fi
    [ -f "$JDK_CACHE" ] || return 1
    IFS= read -r home < "$JDK_CACHE" || true
    [ -n "$home" ] && [ -x "$home/bin/java" ] || return 1
    java_major "$home"
    [ -n "$MAJOR" ] && [ "$MAJOR" -ge 21 ] 2>/dev/null && FOUND=$home
}

if cached_jdk && [ -n "$FOUND" ]; then
    JAVA_HOME=$FOUND
    JAVA_MAJOR=$MAJOR
elif JAVA_HOME=$(find_jdk); then
    java_major "$JAVA_HOME"
    JAVA_MAJOR=$MAJOR
    if [ -d "${JDK_CACHE%/*}" ]; then
        echo "$JAVA_HOME" > "$JDK_CACHE" 2>/dev/null || true
    fi
else
    echo "campaignctl: no JDK 21 or newer found (looked at \$JAVA_HOME, java on PATH, /usr/lib/jvm, /opt/java, ~/.sdkman)." >&2
    echo "campaignctl: install one (e.g. Temurin 21+) and set JAVA_HOME to it." >&2
    exit 5
fi
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
# Maven 3.9's Guice warns about sun.misc.Unsafe on JDK 24+; the flag only exists there.
if [ "$JAVA_MAJOR" -ge 24 ]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
