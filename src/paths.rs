//! Where a vault lives by default: the user's data directory.
//!
//! Contract: the CLI and the desktop app compute the same default from the same application
//! identifier; tests use a different identifier (or an explicit folder) and so never touch a
//! real vault. `BAOMI_VAULT` overrides the default for both.

use std::path::PathBuf;

/// The identifier of the production app; the test build uses [`TEST_APP_ID`].
pub const APP_ID: &str = "cn.baomi.ledger";
pub const TEST_APP_ID: &str = "cn.baomi.ledger.test";

/// The user's data directory (XDG on Linux, `%APPDATA%` on Windows, Application Support on
/// macOS), or `None` when the environment names none.
pub fn data_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        return env("APPDATA");
    }
    if cfg!(target_os = "macos") {
        return env("HOME").map(|h| h.join("Library/Application Support"));
    }
    env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local/share")))
}

/// The default vault folder for an application identifier: `<data dir>/<app id>/vault`.
pub fn default_vault_dir(app_id: &str) -> Option<PathBuf> {
    if let Some(v) = std::env::var_os("BAOMI_VAULT").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(v));
    }
    data_dir().map(|d| d.join(app_id).join("vault"))
}
