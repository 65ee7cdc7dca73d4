#!/usr/bin/env bash
# Installs what `make run` and `make test` need, and only what is missing.
#   scripts/setup.sh run    -> build and run dependencies
#   scripts/setup.sh test   -> also Xvfb, WebKitWebDriver, tauri-driver, PDF and trace tools
set -euo pipefail
mode=${1:-run}
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

apt_pkgs=(build-essential pkg-config libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
          libayatana-appindicator3-dev librsvg2-dev fonts-wqy-microhei fonts-arphic-gbsn00lp)
if [ "$mode" = test ] || [ "$mode" = bench ]; then
  apt_pkgs+=(xvfb xauth webkit2gtk-driver imagemagick strace procps poppler-utils fonts-dejavu-core)
fi
# The yardsticks of the bundle and sheet benchmarks (benches/bundles.rs: age;
# benches/sheets.rs: LibreOffice's headless converter), for `make bench` only.
if [ "$mode" = bench ]; then apt_pkgs+=(age libreoffice-calc-nogui); fi
if ! command -v npm >/dev/null 2>&1; then apt_pkgs+=(nodejs npm); fi

missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "需要 Rust 工具链（cargo）：请先安装 rustup 后重试" >&2
  exit 1
fi

if [ "$mode" = test ] || [ "$mode" = bench ]; then
  if ! command -v tauri-driver >/dev/null 2>&1; then
    say "installing tauri-driver"
    cargo install tauri-driver --locked --version '^2' --quiet
  fi
fi

# Front-end packages at the versions in the committed lock file; reinstalled only when the
# lock changes. `npm install` rather than `npm ci`: npm 11.19 here writes locks without the
# other platforms' optional rollup/esbuild binaries and then `npm ci` refuses its own lock;
# `npm install` with an up-to-date lock installs exactly the locked versions and leaves the
# lock untouched.
stamp=ui/node_modules/.package-lock.stamp
if [ ! -f "$stamp" ] || ! cmp -s ui/package-lock.json "$stamp"; then
  say "installing front-end packages (npm install from package-lock.json)"
  (cd ui && npm install --no-audit --no-fund --loglevel=error)
  cp ui/package-lock.json "$stamp"
fi
