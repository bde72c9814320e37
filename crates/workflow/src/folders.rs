//! Case-type folders: everything particular to one case type lives in one folder
//! `case_types/<code>/` (see `case_types/README.md` at the repository root):
//!
//! | file | read by |
//! | --- | --- |
//! | `case_type.toml` | this crate: the definition (fields, states, transitions, guards, clocks, presentation, capabilities) |
//! | `facts.toml` | `fazhi-indicators`: the facts layout and what the month rollup holds |
//! | `indicators.toml` | `fazhi-indicators`: the case type's indicators |
//! | `dashboard.toml` | `fazhi-web`: the dashboard cards |
//! | `report.toml` | `fazhi-reports`: the paragraphs of the annual report |
//! | `demo.toml` | `fazhi-demo`: the demo script |
//! | `documents.toml` | `fazhi-reports`: the case documents (文书) templates |
//!
//! The built-in folders are embedded at compile time. A configuration folder may hold the same
//! layout (`<config>/case_types/<code>/…`): a file there replaces the built-in file of the same
//! name of the same case type, and a folder with a new code adds a case type (it must then have
//! its own `case_type.toml`). Which file does what is decided by the crates that read them;
//! this module only finds and reads the files, so that every crate sees the same set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

use crate::diag::{Diagnostic, Severity};

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../case_types");

/// The definition file of a folder.
pub const DEFINITION_FILE: &str = "case_type.toml";

/// Files a folder may hold (anything else is reported as a warning by the check).
pub const FOLDER_FILES: &[&str] = &[
    DEFINITION_FILE,
    "facts.toml",
    "indicators.toml",
    "dashboard.toml",
    "report.toml",
    "demo.toml",
    "documents.toml",
];

/// One file of a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderFile {
    /// `embedded:case_types/<code>/<name>` or the path on disk; diagnostics name it.
    pub path: PathBuf,
    pub text: String,
}

/// The files of one case type, by name (`case_type.toml`, `facts.toml`, …).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Folder {
    pub code: String,
    pub files: BTreeMap<String, FolderFile>,
}

impl Folder {
    /// A file of the folder by name.
    pub fn file(&self, name: &str) -> Option<&FolderFile> {
        self.files.get(name)
    }
}

/// The built-in folders, by code.
pub fn embedded_folders() -> BTreeMap<String, Folder> {
    let mut out = BTreeMap::new();
    for dir in EMBEDDED.dirs() {
        let Some(code) = dir.path().file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let mut folder = Folder {
            code: code.to_owned(),
            files: BTreeMap::new(),
        };
        for f in dir.files() {
            let Some(name) = f.path().file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !name.ends_with(".toml") {
                continue;
            }
            let text = f
                .contents_utf8()
                .unwrap_or_else(|| panic!("embedded case_types/{code}/{name} is not UTF-8"));
            folder.files.insert(
                name.to_owned(),
                FolderFile {
                    path: PathBuf::from(format!("embedded:case_types/{code}/{name}")),
                    text: text.to_owned(),
                },
            );
        }
        out.insert(code.to_owned(), folder);
    }
    out
}

fn io_diag(path: &Path, en: String, zh: String) -> Diagnostic {
    Diagnostic {
        file: path.to_path_buf(),
        line: None,
        column: None,
        severity: Severity::Error,
        message: en,
        message_zh: zh,
    }
}

fn warn_diag(path: &Path, en: String, zh: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Warning,
        ..io_diag(path, en, zh)
    }
}

/// Reads one folder from disk (its `*.toml` files), with warnings (unknown file names). The
/// code is the folder's name.
pub fn read_folder(dir: &Path) -> Result<(Folder, Vec<Diagnostic>), Vec<Diagnostic>> {
    let code = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    let entries = std::fs::read_dir(dir).map_err(|e| {
        vec![io_diag(
            dir,
            format!("cannot read directory: {e}"),
            format!("无法读取目录：{e}"),
        )]
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut folder = Folder {
        code,
        files: BTreeMap::new(),
    };
    let mut diags = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !FOLDER_FILES.contains(&name.as_str()) {
            diags.push(warn_diag(
                &path,
                format!(
                    "unknown file in a case-type folder (expected one of: {})",
                    FOLDER_FILES.join(", ")
                ),
                format!(
                    "案件类型目录中的文件名无法识别（应为：{}）",
                    FOLDER_FILES.join("、")
                ),
            ));
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                folder.files.insert(name, FolderFile { path, text });
            }
            Err(e) => diags.push(io_diag(
                &path,
                format!("cannot read: {e}"),
                format!("无法读取文件：{e}"),
            )),
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        return Err(diags);
    }
    Ok((folder, diags))
}

/// The folders under `dir/case_types/` (none when it does not exist), with warnings.
pub fn read_folders(dir: &Path) -> Result<(Vec<Folder>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let root = dir.join("case_types");
    if !root.is_dir() {
        return Ok((Vec::new(), Vec::new()));
    }
    let entries = std::fs::read_dir(&root).map_err(|e| {
        vec![io_diag(
            &root,
            format!("cannot read directory: {e}"),
            format!("无法读取目录：{e}"),
        )]
    })?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    for d in dirs {
        match read_folder(&d) {
            Ok((f, w)) => {
                out.push(f);
                warnings.extend(w);
            }
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((out, warnings))
}

/// The built-in folders with `overrides` laid over them file by file: a file replaces the
/// built-in file of the same name, a new code adds a folder.
pub fn merge_folders(
    mut base: BTreeMap<String, Folder>,
    overrides: Vec<Folder>,
) -> BTreeMap<String, Folder> {
    for o in overrides {
        let entry = base.entry(o.code.clone()).or_insert_with(|| Folder {
            code: o.code.clone(),
            files: BTreeMap::new(),
        });
        entry.files.extend(o.files);
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_folders_hold_their_definitions() {
        let f = embedded_folders();
        assert!(f.len() >= 2, "{:?}", f.keys().collect::<Vec<_>>());
        for (code, folder) in &f {
            assert_eq!(&folder.code, code);
            assert!(
                folder.file(DEFINITION_FILE).is_some(),
                "{code} has no {DEFINITION_FILE}"
            );
            for name in folder.files.keys() {
                assert!(FOLDER_FILES.contains(&name.as_str()), "{code}/{name}");
            }
        }
    }

    #[test]
    fn overrides_replace_file_by_file() {
        let base = embedded_folders();
        let (code, folder) = base
            .iter()
            .next()
            .map(|(c, f)| (c.clone(), f.clone()))
            .unwrap();
        let o = Folder {
            code: code.clone(),
            files: [(
                "demo.toml".to_owned(),
                FolderFile {
                    path: PathBuf::from("x/demo.toml"),
                    text: "# override".into(),
                },
            )]
            .into_iter()
            .collect(),
        };
        let added = Folder {
            code: "zz_new".into(),
            files: BTreeMap::new(),
        };
        let merged = merge_folders(base.clone(), vec![o, added]);
        assert_eq!(merged[&code].file("demo.toml").unwrap().text, "# override");
        assert_eq!(
            merged[&code].file(DEFINITION_FILE),
            folder.file(DEFINITION_FILE)
        );
        assert!(merged.contains_key("zz_new"));
    }
}
