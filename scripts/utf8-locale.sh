# shellcheck shell=bash
# Sourced by ./jlens. The JVM names files with the locale's charset: under LANG=C or POSIX (a container, cron, ssh
# without locale forwarding) that is ASCII, and a file such as café.json can then neither be named nor opened.
# jlens reads its arguments as UTF-8 whatever the locale (cli/RawArguments); this gives the JVM a UTF-8 character
# type too, keeping the rest of the locale. C.UTF-8 is built into glibc 2.35+ and musl and installed on Debian and
# Ubuntu; where it is missing, nothing changes.
jlens_utf8_locale() {
  case "$(locale charmap 2>/dev/null)" in
    UTF-8 | utf8 | utf-8) return 0 ;;
  esac
  [ "$(LC_ALL=C.UTF-8 locale charmap 2>/dev/null)" = UTF-8 ] || return 0
  if [ -n "${LC_ALL:-}" ]; then
    # LC_ALL overrides LC_CTYPE: it becomes LANG, the fallback of every category, so that LC_CTYPE can win
    export LANG="$LC_ALL"
    unset LC_ALL
  fi
  export LC_CTYPE=C.UTF-8
}
