//! 保密台账 desktop app: the Tauri v2 shell over the `baomi` core.
//!
//! Contract: this crate holds no rule, no SQL and no file format. It resolves the vault folder,
//! builds one [`baomi::app::App`], registers the IPC commands of [`commands`], each a
//! one-line adapter, and runs the idle-lock timer (one core call every few seconds). The webview loads only the bundled `ui/dist` under a strict CSP and gets
//! no filesystem, shell or network access.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

use std::sync::Arc;

use baomi::app::App;
use baomi::clock::{Clock, FileClock, SystemClock};
use baomi::vault::marks::Marks;
use baomi::vault::Options;
use tauri::{Emitter, Manager};

/// How often the shell asks the core to lock an idle session (F8: the idle lock does not
/// depend on the webview's timer).
const IDLE_CHECK: std::time::Duration = std::time::Duration::from_secs(5);

/// Locks an idle session every few seconds, whatever the window does, and tells the window
/// (`session-locked`) to show the login screen. A failure to audit the lock still dropped the
/// session, so the window is told either way.
fn idle_timer(handle: tauri::AppHandle) {
    loop {
        std::thread::sleep(IDLE_CHECK);
        match handle.state::<App>().lock_if_idle() {
            Ok(false) => {}
            Ok(true) => {
                let _ = handle.emit("session-locked", ());
            }
            Err(e) => {
                eprintln!("闲置自动锁定：{e}");
                let _ = handle.emit("session-locked", ());
            }
        }
    }
}

fn main() {
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let id = app.config().identifier.clone();
            let dir = baomi::paths::default_vault_dir(&id)
                .or_else(|| app.path().app_data_dir().ok().map(|d| d.join("vault")))
                .ok_or("无法确定用户数据目录：请设置 BAOMI_VAULT 指定保密库文件夹")?;
            // Only the test build (its own identifier) may take its time from a file.
            let clock: Arc<dyn Clock> = match std::env::var_os("BAOMI_TEST_CLOCK_FILE") {
                Some(file) if id == baomi::paths::TEST_APP_ID => Arc::new(FileClock(file.into())),
                _ => Arc::new(SystemClock),
            };
            let marks = Marks::for_vault(&id, &dir);
            app.manage(App::new(dir, clock, Options::standard(marks)));
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("idle-lock".into())
                .spawn(move || idle_timer(handle))?;
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("保密台账无法启动：{e}");
        std::process::exit(1);
    }
}
