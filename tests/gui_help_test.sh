#!/usr/bin/env bash
# dispatchlab-gui --help and --version answer without a display: no DISPLAY,
# no WAYLAND_DISPLAY, no QT_QPA_PLATFORM (a QApplication would abort, exit
# 134). Both exit 0 with their text on stdout; a bad flag exits 1 with a
# message.
#
#   gui_help_test.sh <path to dispatchlab-gui>
set -uo pipefail
gui=${1:?usage: gui_help_test.sh <dispatchlab-gui>}
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
nodisplay() { env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$@"; }

out=$(nodisplay "$gui" --help 2>&1)
rc=$?
[ "$rc" -eq 0 ] || fail "--help: exit $rc: $out"
grep -q "^Usage: .*dispatchlab-gui" <<<"$out" || fail "--help: no usage line: $out"
grep -q -- "--screenshot <file>" <<<"$out" || fail "--help: options missing: $out"

out=$(nodisplay "$gui" --version 2>&1)
rc=$?
[ "$rc" -eq 0 ] || fail "--version: exit $rc: $out"
grep -Eq "^dispatchlab [0-9]+\.[0-9]+\.[0-9]+$" <<<"$out" || fail "--version: '$out'"

# Qt's own flags before --help do not turn it into an error.
out=$(nodisplay "$gui" -platform offscreen --help 2>&1)
rc=$?
[ "$rc" -eq 0 ] || fail "-platform offscreen --help: exit $rc: $out"

# A bad flag with no display is an error message and exit 1, not an abort.
out=$(nodisplay "$gui" --no-such-flag 2>&1)
rc=$?
[ "$rc" -eq 1 ] || fail "--no-such-flag: exit $rc, want 1: $out"
grep -q "no-such-flag" <<<"$out" || fail "--no-such-flag: error does not name it: $out"

[ "$fails" -eq 0 ] && echo "gui_help_test: all checks passed"
exit $((fails > 0))
