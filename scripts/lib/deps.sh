# shellcheck shell=bash
# Dependency installation: Debian packages from scripts/packages.txt and the npm packages of every
# test tool or web app that ships a package-lock.json. Both steps are idempotent and quick when
# nothing is missing. Needs common.sh.

EMS_PACKAGES_FILE="${EMS_PACKAGES_FILE:-$EMS_ROOT/scripts/packages.txt}"

# Prints the packages from packages.txt that apply to this machine, one per line.
ems_wanted_debs() {
  local pkg cond
  while read -r pkg cond _; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    if [[ "$cond" == unless:* ]] && command -v "${cond#unless:}" >/dev/null 2>&1; then
      continue
    fi
    printf '%s\n' "$pkg"
  done <"$EMS_PACKAGES_FILE"
}

ems_deb_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

# Installs the missing Debian packages; runs apt-get update only when something is missing.
ems_install_debs() {
  command -v dpkg-query >/dev/null 2>&1 || ems_die "dpkg-query not found: the suite targets Debian 12"
  local wanted=() missing=() pkg
  mapfile -t wanted < <(ems_wanted_debs)
  for pkg in "${wanted[@]}"; do
    ems_deb_installed "$pkg" || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    ems_log "debian packages: all ${#wanted[@]} present"
    return 0
  fi
  ems_log "debian packages: installing ${#missing[@]} missing: ${missing[*]}"
  if ! ems_is_root && ! command -v sudo >/dev/null 2>&1; then
    ems_die "installing packages needs root or sudo; as root run: apt-get install ${missing[*]}"
  fi
  # tshark asks whether non-root users may capture; answer "no" so the install never prompts.
  printf 'wireshark-common wireshark-common/install-setuid boolean false\n' |
    ems_as_root debconf-set-selections
  ems_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  ems_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
  ems_disable_system_broker "${missing[@]}"
}

# Installing the mosquitto package starts a system broker on port 1883, the port the suite's own
# broker uses. The suite only needs the binary, so a broker service we just installed is stopped
# and disabled (an already installed one is left alone; `ems up` then reports the busy port).
ems_disable_system_broker() {
  local pkg
  for pkg in "$@"; do
    if [[ "$pkg" == mosquitto ]] && command -v systemctl >/dev/null 2>&1 &&
      systemctl is-enabled mosquitto >/dev/null 2>&1; then
      ems_log "disabling the mosquitto system service (the suite runs its own broker)"
      ems_as_root systemctl disable --now mosquitto || ems_warn "could not disable mosquitto.service"
    fi
  done
}

# ems_npm_ci_all [top folders...]: runs `npm ci` in every folder under the given top folders
# (default tests/ and hmi/) that has a package-lock.json, node_modules excluded. A folder whose
# node_modules was installed from the same lock file (recorded by a hash stamp) is skipped.
ems_npm_ci_all() {
  local roots=() root lock dir stamp sum
  (($#)) || set -- tests hmi
  for root in "$@"; do
    [[ -d "$EMS_ROOT/$root" ]] && roots+=("$EMS_ROOT/$root")
  done
  ((${#roots[@]} > 0)) || return 0
  while IFS= read -r -d '' lock; do
    dir="$(dirname "$lock")"
    command -v npm >/dev/null 2>&1 || ems_die "npm not found; run scripts/install-deps.sh"
    stamp="$dir/node_modules/.ems-npm-ci.sha256"
    sum="$(sha256sum "$lock" | cut -d' ' -f1)"
    if [[ -r "$stamp" && "$(cat "$stamp")" == "$sum" ]]; then
      ems_log "npm: ${dir#"$EMS_ROOT"/} up to date"
      continue
    fi
    ems_log "npm: ci in ${dir#"$EMS_ROOT"/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) ||
      ems_die "npm ci failed in ${dir#"$EMS_ROOT"/}"
    printf '%s\n' "$sum" >"$stamp"
  done < <(find "${roots[@]}" -name node_modules -prune -o -name package-lock.json -type f -print0 |
    sort -z)
}
