# Sourced by ./jlens and ./mvn-jdk25: sets JAVA_HOME to a JDK 25 or newer, or fails with one clear line.
# Order: JAVA_HOME if it is 25+; else the newest 25+ JDK in the system's JVM folder.

jlens_jdk_major() {  # prints the feature version of the JDK at $1, or nothing
  local home=$1 v
  [ -x "$home/bin/java" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$v"
}

jlens_find_jdk25() {
  local major best="" best_major=0 home
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(jlens_jdk_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then return 0; fi
  fi
  for home in ${JLENS_JVM_DIR:-/usr/lib/jvm}/*; do
    [ -d "$home" ] || continue
    major=$(jlens_jdk_major "$home")
    if [ -n "$major" ] && [ "$major" -ge 25 ] && [ "$major" -gt "$best_major" ]; then
      best=$home; best_major=$major
    fi
  done
  if [ -z "$best" ]; then
    echo "jlens: no JDK 25 or newer found (JAVA_HOME=${JAVA_HOME:-unset}; searched ${JLENS_JVM_DIR:-/usr/lib/jvm}). Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME=$best
}
