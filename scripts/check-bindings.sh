#!/usr/bin/env bash
# The IPC types in ui/src/bindings are generated from Rust by `cargo test` (ts-rs).
# Fail when the committed files differ from what the Rust types generate now.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v git >/dev/null || ! git rev-parse --git-dir >/dev/null 2>&1; then
  echo "check-bindings: not a git checkout, skipped"; exit 0
fi
drift=$(git status --porcelain -- ui/src/bindings)
if [ -n "$drift" ]; then
  echo "IPC 类型绑定与 Rust 类型不一致（ui/src/bindings 已被 cargo test 重新生成）：请提交这些变更" >&2
  echo "$drift" >&2
  exit 1
fi
echo "check-bindings: ui/src/bindings matches the Rust types"
