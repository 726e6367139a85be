#!/usr/bin/env bash
# EMR bootstrap action: install pinned Python packages into the cluster's Python.
#
# Runs on every node as the `hadoop` user (passwordless sudo) before applications start, on
# Amazon Linux 2 and 2023, aarch64 (Graviton) and x86_64. A failing bootstrap action fails the
# cluster, so every failure exits non-zero with a message; nothing waits on input.
#
# Self-contained on purpose: EMR downloads each bootstrap script alone, so nothing is sourced.
set -Eeuo pipefail

readonly SCRIPT_NAME="install-python-packages.sh"

usage() {
  cat <<'EOF'
Usage: install-python-packages.sh REQUIREMENTS_S3_URI [PYTHON]

Install pinned Python packages from a requirements file in S3 into EMR's Python.

Arguments:
  REQUIREMENTS_S3_URI  s3://bucket/key of a requirements file. Every requirement must be pinned:
                       name==version, optionally with extras (name[extra]==version) and
                       --hash=ALGORITHM:DIGEST options; comments and blank lines are allowed.
  PYTHON               Python interpreter to install into (default: /usr/bin/python3).

Options:
  -h, --help           Show this help and exit.

Idempotent: the requirements' sha256 is recorded per interpreter under
/var/lib/emr-constructs/; a re-run with the same content installs nothing.

Environment (for testing; defaults are the real paths):
  EMR_CONSTRUCTS_ROOT       prefix prepended to every absolute path the script writes
  EMR_CONSTRUCTS_STATE_DIR  marker directory (default: $EMR_CONSTRUCTS_ROOT/var/lib/emr-constructs)
  EMR_CONSTRUCTS_LOG_DIR    log directory   (default: $EMR_CONSTRUCTS_ROOT/var/log/emr-constructs)
  EMR_CONSTRUCTS_PYTHON     default interpreter when PYTHON is omitted (default: /usr/bin/python3)

Exit status: 0 on success (installed or already up to date), 2 on usage errors, 1 on any failure.
EOF
}

# ---------------------------------------------------------------------------------------------
# Logging: "[emr-constructs] <ISO 8601 timestamp> <script>: <message>" to stdout (errors to stderr)
# and appended to $LOG_FILE once the log directory exists.
# ---------------------------------------------------------------------------------------------
LOG_FILE=""

# Sets LINE to the formatted message (no subshell: bootstrap logs should not cost a fork a line).
_format() {
  local ts
  printf -v ts '%(%Y-%m-%dT%H:%M:%S%z)T' -1
  printf -v LINE '[emr-constructs] %s %s: %s' "$ts" "$SCRIPT_NAME" "$*"
}

_to_log_file() {
  if [[ -n "$LOG_FILE" ]]; then
    printf '%s\n' "$1" | sudo -n tee -a "$LOG_FILE" >/dev/null 2>&1 ||
      printf '[emr-constructs] warning: could not append to %s\n' "$LOG_FILE" >&2
  fi
}

log() {
  _format "$*"
  printf '%s\n' "$LINE"
  _to_log_file "$LINE"
}

err() {
  _format "ERROR: $*"
  printf '%s\n' "$LINE" >&2
  _to_log_file "$LINE"
}

die() {
  err "$1"
  exit "${2:-1}"
}

usage_error() {
  printf '[emr-constructs] %s: ERROR: %s\n\n' "$SCRIPT_NAME" "$1" >&2
  usage >&2
  exit 2
}

WORK_DIR=""
cleanup() {
  if [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]]; then
    rm -rf -- "$WORK_DIR"
  fi
}

on_error() {
  local status=$1 line=$2 command=$3
  trap - ERR
  if ((BASH_SUBSHELL > 0)); then
    exit "$status" # the parent shell reports the failing command
  fi
  err "unexpected failure at line ${line} of ${SCRIPT_NAME} (exit ${status}) running: ${command}"
  err "the bootstrap action failed; the cluster will not start. See the messages above."
  exit "$status"
}

trap 'on_error "$?" "$LINENO" "$BASH_COMMAND"' ERR
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
# Arguments and paths
# ---------------------------------------------------------------------------------------------
case "${1:-}" in
  -h | --help)
    usage
    exit 0
    ;;
  *) ;;
esac
if [[ $# -lt 1 || $# -gt 2 ]]; then
  usage_error "expected 1 or 2 arguments, got $#"
fi

REQUIREMENTS_URI=$1
PYTHON_ARG=${2:-${EMR_CONSTRUCTS_PYTHON:-/usr/bin/python3}}

if [[ ! "$REQUIREMENTS_URI" =~ ^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.*[^/]$ ]]; then
  usage_error "REQUIREMENTS_S3_URI must look like s3://bucket/path/requirements.txt, got '${REQUIREMENTS_URI}'"
fi

ROOT=${EMR_CONSTRUCTS_ROOT:-}
if [[ -n "$ROOT" && "$ROOT" != /* ]]; then
  usage_error "EMR_CONSTRUCTS_ROOT must be an absolute path, got '${ROOT}'"
fi
STATE_DIR=${EMR_CONSTRUCTS_STATE_DIR:-${ROOT}/var/lib/emr-constructs}
LOG_DIR=${EMR_CONSTRUCTS_LOG_DIR:-${ROOT}/var/log/emr-constructs}

# ---------------------------------------------------------------------------------------------
# Preconditions: passwordless sudo, log file, architecture, tools
# ---------------------------------------------------------------------------------------------
if ! sudo -n true 2>/dev/null; then
  die "passwordless sudo is required (EMR bootstrap actions run as 'hadoop' with sudo); 'sudo -n true' failed"
fi
if ! sudo -n install -d -m 0755 "$LOG_DIR"; then
  die "could not create log directory ${LOG_DIR}"
fi
LOG_FILE="${LOG_DIR}/bootstrap.log"

log "starting: requirements=${REQUIREMENTS_URI} python=${PYTHON_ARG}"

ARCH=$(uname -m)
case "$ARCH" in
  aarch64 | x86_64)
    log "architecture: ${ARCH}"
    ;;
  *)
    die "unsupported architecture '${ARCH}': EMR nodes run on x86_64 or aarch64 (Graviton) only"
    ;;
esac

if ! command -v aws >/dev/null 2>&1; then
  die "the AWS CLI ('aws') is not on PATH; it is needed to copy ${REQUIREMENTS_URI}"
fi
if ! PYTHON=$(command -v -- "$PYTHON_ARG"); then
  die "Python interpreter '${PYTHON_ARG}' not found or not executable"
fi
if [[ "$PYTHON" != /* ]]; then
  die "Python interpreter '${PYTHON_ARG}' resolved to '${PYTHON}', which is not a file"
fi
if ! PIP_VERSION=$(sudo -n "$PYTHON" -m pip --version 2>&1); then
  die "pip is not available for ${PYTHON}: ${PIP_VERSION}"
fi
log "python: ${PYTHON} (${PIP_VERSION})"

# ---------------------------------------------------------------------------------------------
# Download and validate the requirements
# ---------------------------------------------------------------------------------------------
WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/emr-constructs.XXXXXXXX")
REQUIREMENTS_FILE="${WORK_DIR}/requirements.txt"

log "copying ${REQUIREMENTS_URI}"
if ! aws s3 cp --only-show-errors "$REQUIREMENTS_URI" "$REQUIREMENTS_FILE"; then
  die "could not copy ${REQUIREMENTS_URI} (aws s3 cp failed): check the URI and that the instance role may s3:GetObject it"
fi
if [[ ! -f "$REQUIREMENTS_FILE" ]]; then
  die "aws s3 cp reported success but ${REQUIREMENTS_FILE} does not exist"
fi

# One pinned requirement: name[extras]==version, then optional --hash=ALGORITHM:DIGEST options.
readonly NAME_RE='[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?'
readonly EXTRAS_RE='(\[[[:space:]]*[A-Za-z0-9._-]+([[:space:]]*,[[:space:]]*[A-Za-z0-9._-]+)*[[:space:]]*\])?'
readonly VERSION_RE='[0-9][0-9A-Za-z.!+_-]*'
readonly HASH_RE='--hash=(sha256|sha384|sha512):[0-9A-Fa-f]+'
readonly PINNED_RE="^${NAME_RE}[[:space:]]*${EXTRAS_RE}[[:space:]]*==[[:space:]]*${VERSION_RE}([[:space:]]+${HASH_RE})*\$"

# Prints "line N: text" for every logical line that is not a pinned requirement; sets COUNT.
# Joins backslash continuations and strips comments the way pip does; tolerates CRLF files.
COUNT=0
find_unpinned() {
  local raw logical="" start=0 number=0 stripped
  while IFS= read -r raw || [[ -n "$raw" ]]; do
    number=$((number + 1))
    raw=${raw%$'\r'}
    if [[ -z "$logical" ]]; then
      start=$number
    fi
    if [[ "$raw" =~ (^|[[:space:]])# ]]; then
      # pip strips comments that start a line or follow whitespace
      raw=${raw%%"${BASH_REMATCH[0]}"*}
    fi
    if [[ "$raw" == *\\ ]]; then
      logical+="${raw%\\} "
      continue
    fi
    logical+=$raw
    # trim surrounding whitespace
    stripped=${logical#"${logical%%[![:space:]]*}"}
    stripped=${stripped%"${stripped##*[![:space:]]}"}
    logical=""
    if [[ -z "$stripped" ]]; then
      continue
    fi
    COUNT=$((COUNT + 1))
    if [[ ! "$stripped" =~ $PINNED_RE ]]; then
      printf 'line %d: %s\n' "$start" "$stripped"
    fi
  done <"$1"
  if [[ -n "${logical//[[:space:]]/}" ]]; then
    COUNT=$((COUNT + 1))
    logical=${logical#"${logical%%[![:space:]]*}"}
    logical=${logical%"${logical##*[![:space:]]}"}
    printf 'line %d: %s (a backslash continues it past the end of the file)\n' "$start" "$logical"
  fi
}

find_unpinned "$REQUIREMENTS_FILE" >"${WORK_DIR}/unpinned"
if [[ -s "${WORK_DIR}/unpinned" ]]; then
  err "refusing unpinned requirements in ${REQUIREMENTS_URI}; every requirement must be name==version (extras and --hash= allowed):"
  while IFS= read -r offending; do
    err "  ${offending}"
  done <"${WORK_DIR}/unpinned"
  exit 1
fi
if [[ "$COUNT" -eq 0 ]]; then
  die "${REQUIREMENTS_URI} contains no requirements; point the bootstrap action at the right file or remove it"
fi

SHA256=$(sha256sum "$REQUIREMENTS_FILE" | cut -d ' ' -f 1)
log "requirements: ${COUNT} pinned, sha256 ${SHA256}"

# ---------------------------------------------------------------------------------------------
# Install unless this interpreter already has exactly these requirements
# ---------------------------------------------------------------------------------------------
PYTHON_KEY=${PYTHON#/}
PYTHON_KEY=${PYTHON_KEY//[^A-Za-z0-9._-]/_}
MARKER="${STATE_DIR}/python-packages.${PYTHON_KEY}.sha256"
EXPECTED_MARKER="${SHA256} ${PYTHON}"

if [[ -f "$MARKER" && "$(<"$MARKER")" == "$EXPECTED_MARKER" ]]; then
  log "already installed (marker ${MARKER} matches sha256 ${SHA256}); skipping pip install"
  log "done: nothing to do"
  exit 0
fi
if [[ -f "$MARKER" ]]; then
  log "requirements changed since the last install (marker ${MARKER}); reinstalling"
fi

log "installing into ${PYTHON}: pip install --no-input --disable-pip-version-check -r requirements.txt"
if ! sudo -n "$PYTHON" -m pip install --no-input --disable-pip-version-check -r "$REQUIREMENTS_FILE" 2>&1 |
  sudo -n tee -a "$LOG_FILE"; then
  die "pip install into ${PYTHON} failed (output above and in ${LOG_FILE}); no marker written, a re-run retries"
fi

if ! sudo -n install -d -m 0755 "$STATE_DIR"; then
  die "could not create state directory ${STATE_DIR}"
fi
printf '%s\n' "$EXPECTED_MARKER" >"${WORK_DIR}/marker"
if ! sudo -n install -m 0644 "${WORK_DIR}/marker" "${MARKER}.tmp" || ! sudo -n mv -f "${MARKER}.tmp" "$MARKER"; then
  die "packages installed, but the marker ${MARKER} could not be written"
fi
log "wrote marker ${MARKER}"
log "done: installed ${COUNT} pinned requirements into ${PYTHON}"
