//! Where variables come from. Precedence, highest first: the process
//! environment, `.env.local`, `.env` (what loading `.env.local` then `.env`
//! with dotenvy, which never overrides, gives; here without touching the
//! process environment).

use std::collections::HashMap;
use std::io::ErrorKind;
use std::path::Path;

use crate::ConfigError;

/// Files in the order they are applied; the later one wins.
const FILES: [&str; 2] = [".env", ".env.local"];

/// All variables from the current directory's env files and the process
/// environment. Unreadable lines or files are skipped; services use
/// [`try_load_vars`] (through `from_env`) so a broken file stops them instead.
pub fn load_vars() -> HashMap<String, String> {
    // Lenient merging never fails; the fallback only keeps this panic-free.
    merge(Path::new("."), process_env(), false).unwrap_or_else(|_| process_env())
}

/// Like [`load_vars`], but a `.env`/`.env.local` that exists and cannot be
/// read or parsed is an error naming the file.
pub fn try_load_vars() -> Result<HashMap<String, String>, ConfigError> {
    merge_env_files(Path::new("."), process_env())
}

/// Merges `dir/.env`, then `dir/.env.local`, then `base` on top (in services
/// `base` is the process environment; tests inject their own map). Missing
/// files are fine.
pub fn merge_env_files(
    dir: &Path,
    base: HashMap<String, String>,
) -> Result<HashMap<String, String>, ConfigError> {
    merge(dir, base, true)
}

fn merge(
    dir: &Path,
    base: HashMap<String, String>,
    strict: bool,
) -> Result<HashMap<String, String>, ConfigError> {
    let mut merged = HashMap::new();
    for file in FILES {
        read_file(dir, file, strict, &mut merged)?;
    }
    merged.extend(base);
    Ok(merged)
}

fn read_file(
    dir: &Path,
    file: &'static str,
    strict: bool,
    into: &mut HashMap<String, String>,
) -> Result<(), ConfigError> {
    let iter = match dotenvy::from_path_iter(dir.join(file)) {
        Ok(iter) => iter,
        Err(dotenvy::Error::Io(e)) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) if strict => return Err(file_error(dir, file, &e)),
        Err(_) => return Ok(()),
    };
    for item in iter {
        match item {
            Ok((key, value)) => {
                into.insert(key, value);
            }
            Err(e) if strict => return Err(file_error(dir, file, &e)),
            Err(_) => {}
        }
    }
    Ok(())
}

/// Describes the failure without dotenvy's own message, which quotes the
/// offending line (and so possibly a secret); names the line number instead.
fn file_error(dir: &Path, file: &'static str, e: &dotenvy::Error) -> ConfigError {
    match e {
        dotenvy::Error::Io(io) => ConfigError::new(file, format!("cannot be read: {io}")),
        dotenvy::Error::LineParse(line, _) => {
            // A quoted value may span lines: locate its first one.
            let first = line.lines().next().unwrap_or_default();
            let number = std::fs::read_to_string(dir.join(file))
                .ok()
                .and_then(|text| text.lines().position(|l| l == first));
            match number {
                Some(n) => ConfigError::new(
                    file,
                    format!("line {} cannot be parsed (check quoting)", n + 1),
                ),
                None => ConfigError::new(file, "has a line that cannot be parsed (check quoting)"),
            }
        }
        _ => ConfigError::new(file, "cannot be parsed"),
    }
}

/// The process environment; variables that are not valid UTF-8 cannot be
/// settings of ours, so they are left out instead of panicking.
fn process_env() -> HashMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}
