//! Precedence of the sources: `.env` < `.env.local` < process environment.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use ts_config::{ApiSettings, merge_env_files};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ts-config-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn write(&self, name: &str, text: &str) -> &Self {
        std::fs::write(self.0.join(name), text).unwrap();
        self
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn process(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn env_local_beats_env_and_process_beats_both() {
    let dir = TempDir::new();
    dir.write(
        ".env",
        "A=from-env\nB=from-env\nC=from-env\n# comment\nONLY_ENV=1\n",
    )
    .write(
        ".env.local",
        "B=from-local\nC=from-local\nONLY_LOCAL=\"quoted value\"\n",
    );
    let merged = merge_env_files(dir.path(), process(&[("C", "from-process")])).unwrap();
    assert_eq!(merged["A"], "from-env");
    assert_eq!(merged["B"], "from-local");
    assert_eq!(merged["C"], "from-process");
    assert_eq!(merged["ONLY_ENV"], "1");
    assert_eq!(merged["ONLY_LOCAL"], "quoted value");
}

#[test]
fn missing_files_are_fine() {
    let dir = TempDir::new();
    let merged = merge_env_files(dir.path(), process(&[("X", "1")])).unwrap();
    assert_eq!(merged, process(&[("X", "1")]));

    let only_local = TempDir::new();
    only_local.write(".env.local", "Y=2\n");
    assert_eq!(
        merge_env_files(only_local.path(), HashMap::new()).unwrap()["Y"],
        "2"
    );
}

#[test]
fn a_malformed_file_is_an_error_that_does_not_quote_the_line() {
    let dir = TempDir::new();
    dir.write(".env", "GOOD=1\n\nAPI_TOKEN='s3cr3t-unterminated\n");
    let e = merge_env_files(dir.path(), HashMap::new()).unwrap_err();
    assert_eq!(e.variable, ".env");
    assert!(e.problem.contains("line 3"), "{e}");
    assert!(!e.to_string().contains("s3cr3t"), "{e}");
}

#[test]
fn merged_files_feed_the_settings() {
    let dir = TempDir::new();
    dir.write(
        ".env",
        "DATABASE_URL=postgres://localhost/ts\nREDIS_URL=redis://localhost:6379\n\
         API_TOKEN=t\nWEBHOOK_SECRET=w\nENCRYPTION_KEY=0123456789abcdef0123456789abcdef\n\
         API_PORT=8000\n",
    )
    .write(".env.local", "API_PORT=8100\n");
    let vars = merge_env_files(dir.path(), process(&[("API_PORT", "8200")])).unwrap();
    assert_eq!(ApiSettings::from_vars(&vars).unwrap().port, 8200);

    let vars = merge_env_files(dir.path(), HashMap::new()).unwrap();
    assert_eq!(ApiSettings::from_vars(&vars).unwrap().port, 8100);

    // As with dotenvy, a process variable wins even when empty, and empty
    // counts as unset, so the default applies.
    let vars = merge_env_files(dir.path(), process(&[("API_PORT", "")])).unwrap();
    assert_eq!(ApiSettings::from_vars(&vars).unwrap().port, 8000);
}
