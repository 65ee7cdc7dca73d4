//! 保密台账 desktop app: the Tauri v2 shell over the `baomi` core.
//!
//! Contract: this crate holds no rule, no SQL and no file format. It resolves the vault folder,
//! builds one [`baomi::app::App`], and registers the IPC commands of [`commands`], each a
//! one-line adapter. The webview loads only the bundled `ui/dist` under a strict CSP and gets
//! no filesystem, shell or network access.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

use std::sync::Arc;

use baomi::app::App;
use baomi::clock::{Clock, FileClock, SystemClock};
use baomi::vault::marks::Marks;
use baomi::vault::Options;
use tauri::Manager;

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
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("保密台账无法启动：{e}");
        std::process::exit(1);
    }
}
