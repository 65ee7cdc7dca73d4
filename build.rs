//! Finds the open CJK fonts that the print engine embeds in the binary.
//!
//! Contract: the fonts come from Debian's packages (`fonts-arphic-gbsn00lp`, `fonts-wqy-microhei`,
//! installed by `scripts/setup.sh`), or from `BAOMI_FONT_DIR` holding the same file names. The
//! paths are handed to the crate as `BAOMI_FONT_SERIF` / `BAOMI_FONT_SANS`, which
//! `include_bytes!` embeds: the program never reads a font file at run time.

use std::path::{Path, PathBuf};

const FONTS: [(&str, &str, &str); 2] = [
    (
        "BAOMI_FONT_SERIF",
        "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
        "fonts-arphic-gbsn00lp",
    ),
    (
        "BAOMI_FONT_SANS",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "fonts-wqy-microhei",
    ),
];

fn main() {
    println!("cargo:rerun-if-env-changed=BAOMI_FONT_DIR");
    let dir = std::env::var_os("BAOMI_FONT_DIR").map(PathBuf::from);
    for (var, default, package) in FONTS {
        let path = match &dir {
            Some(d) => d.join(Path::new(default).file_name().unwrap_or_default()),
            None => PathBuf::from(default),
        };
        if !path.is_file() {
            eprintln!(
                "error: the print engine embeds {}, which is missing.\n\
                 Install it with `apt-get install {package}` (scripts/setup.sh does), \
                 or set BAOMI_FONT_DIR to a folder holding that file.",
                path.display()
            );
            std::process::exit(1);
        }
        println!("cargo:rerun-if-changed={}", path.display());
        println!("cargo:rustc-env={var}={}", path.display());
    }
}
