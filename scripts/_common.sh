# Shared by scripts/run-demo and scripts/test: install what the project needs on Debian, then the
# Python packages into .venv. Idempotent: a second run installs nothing.

# Debian packages: Qt's xcb plugin and fonts (to show windows), Xvfb, a window manager and a tray
# host (GUI tests), xwd and xprop from x11-apps and x11-utils (the built app's smoke test compares
# what its window shows and reads its icon), PulseAudio (a silent sound output: the built app's
# chimes must play), Chromium (admin-area browser tests), PostgreSQL (service tests), nginx (the
# service behind a reverse proxy, started by its tests on loopback), openssl (test certificates),
# libpulse0 (QtMultimedia imports with it).
APP_DEBS=(libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
  libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
  libxcb-xkb1 libpulse0 fonts-dejavu-core)
TEST_DEBS=(xvfb xauth openbox trayer xdotool x11-apps x11-utils pulseaudio chromium postgresql
  nginx openssl)

ensure_debs() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

ensure_venv() {
  # Installs the project with the extras asked for (comma-separated); a venv that already has
  # them (or more) for this pyproject.toml is left as it is, so scripts that need fewer extras do
  # not undo what another installed.
  local extras=$1
  local stamp=.venv/.installed
  local hash extra installed="" stamped_hash=""
  hash=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ ! -x .venv/bin/python ]; then
    # Debian ships venv's pip bootstrap separately (python3-venv).
    python3 -m venv .venv 2>/dev/null || {
      rm -rf .venv
      ensure_debs python3-venv
      python3 -m venv .venv
    }
  fi
  read -r installed stamped_hash <"$stamp" 2>/dev/null || true
  if [ "${stamped_hash:-}" = "$hash" ]; then
    local missing=0
    for extra in ${extras//,/ }; do
      [[ ",$installed," == *",$extra,"* ]] || missing=1
    done
    [ $missing -eq 0 ] && return 0
    extras="$installed,$extras"
  fi
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[$extras]"
  echo "$extras $hash" >"$stamp"
}
