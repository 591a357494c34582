//! Embeds every file under `resources/<lang>/` (hand-written rules and lexicons) and
//! `<workspace>/models/<lang>/` (models trained by `kroniek train`) into the library, so
//! that a language is added by adding data files: no code lists the languages or files.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let manifest = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).to_path_buf();
    let roots = [manifest.join("resources"), manifest.join("../../models")];
    let mut entries = Vec::new();
    let mut langs = Vec::new();
    for root in &roots {
        println!("cargo:rerun-if-changed={}", root.display());
        if let Ok(dir) = fs::read_dir(root) {
            langs.extend(dir.map(|e| e.unwrap().path()));
        }
    }
    langs.sort();
    for lang_dir in langs.into_iter().filter(|p| p.is_dir()) {
        println!("cargo:rerun-if-changed={}", lang_dir.display());
        let lang = lang_dir.file_name().unwrap().to_str().unwrap().to_string();
        let mut files: Vec<_> = fs::read_dir(&lang_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| !p.file_name().unwrap().to_str().unwrap().starts_with('.'))
            .collect();
        files.sort();
        for file in files.into_iter().filter(|p| p.is_file()) {
            println!("cargo:rerun-if-changed={}", file.display());
            let name = file.file_name().unwrap().to_str().unwrap().to_string();
            entries.push((lang.clone(), name, file));
        }
    }
    let mut out = String::from("/// Every embedded resource: (language, file name, bytes).\n");
    out.push_str("pub(crate) static FILES: &[(&str, &str, &[u8])] = &[\n");
    for (lang, name, path) in entries {
        writeln!(
            out,
            "    ({lang:?}, {name:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("resources.rs");
    fs::write(dest, out).unwrap();
}
