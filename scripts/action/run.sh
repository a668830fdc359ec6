#!/usr/bin/env bash
# The GitHub Action's run step. Runs citelock once with JSON findings, then
# turns them into annotations (`--format github`), a Markdown report (also
# appended to the step summary) and the step's outputs: exit-code, errors,
# warnings, report, findings (the JSON file's path). Fails the step with citelock's exit code when `fail` is
# true.
# Environment: INPUT_COMMAND (check, links, verify), INPUT_ARGS (the whole
# argument list, overriding the command), INPUT_FAIL, GITHUB_OUTPUT,
# GITHUB_STEP_SUMMARY, RUNNER_TEMP.
set -uo pipefail
args=${INPUT_ARGS:-}
[ -n "$args" ] || args=${INPUT_COMMAND:-check}
# The arguments as a shell would split them (quotes honoured); they come from
# the workflow's author.
eval "set -- $args"
dir=${RUNNER_TEMP:-$(mktemp -d)}
findings=$dir/citelock-findings.json
report=$dir/citelock-report.md
# The command's own step summary is left to `merge`, which writes one.
GITHUB_STEP_SUMMARY='' citelock --format json "$@" >"$findings"
code=$?
errors=0
warnings=0
if [ "$code" -le 1 ] && [ -s "$findings" ]; then
  GITHUB_STEP_SUMMARY='' citelock --format github merge "$findings"
  citelock -q merge "$findings" --to markdown --title "citelock $1" -o "$report"
  errors=$(sed -n 's/^ *"errors": \([0-9]*\).*/\1/p' "$findings" | tail -1)
  warnings=$(sed -n 's/^ *"warnings": \([0-9]*\).*/\1/p' "$findings" | tail -1)
else
  printf '## citelock %s\n\ncitelock could not run (exit code %s); its log says why.\n' "$1" "$code" >"$report"
  [ -z "${GITHUB_STEP_SUMMARY:-}" ] || cat "$report" >>"$GITHUB_STEP_SUMMARY"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  delimiter=citelock-$RANDOM-$RANDOM
  {
    echo "exit-code=$code"
    echo "errors=$errors"
    echo "warnings=$warnings"
    echo "findings=$findings"
    echo "report<<$delimiter"
    cat "$report"
    echo "$delimiter"
  } >>"$GITHUB_OUTPUT"
fi
echo "citelock $*: exit code $code, $errors errors, $warnings warnings"
if [ "${INPUT_FAIL:-true}" = true ]; then
  exit "$code"
fi
