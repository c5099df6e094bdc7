//! Installing the oracle on first use: the runner script and its pinned npm packages, copied into
//! a cache directory named by their hash and installed there with `npm ci`.
//!
//! The package is AGPL-licensed, so it is never vendored or shipped: only its name, version and
//! integrity hashes travel with scpcheck (in the lockfile), and npm fetches it on the machine
//! that runs the tests.

use scpcheck_cache::InstallLock;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use crate::client::OracleCommand;
use crate::error::OracleError;

/// The runner's `package.json`, pinning `@cloud-copilot/iam-simulate` to one version.
pub const PACKAGE_JSON: &str = include_str!("../node/package.json");
/// The lockfile pinning every dependency with its integrity hash.
pub const PACKAGE_LOCK: &str = include_str!("../node/package-lock.json");
/// The runner script: JSON lines in, JSON lines out.
pub const RUNNER: &str = include_str!("../node/runner.mjs");

/// The npm package the oracle is.
pub const PACKAGE_NAME: &str = "@cloud-copilot/iam-simulate";

/// The oldest Node.js major version the package was measured on.
const NODE_MAJOR_REQUIRED: u32 = 20;

/// Where provisioned tools are kept; see [`scpcheck_cache::cache_dir`].
pub fn cache_dir() -> PathBuf {
    scpcheck_cache::cache_dir()
}

/// The versions of the oracle and of everything it loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OracleVersions {
    /// The version of `@cloud-copilot/iam-simulate`.
    pub package: String,
    /// Every other package the lockfile pins, as `(name, version)`, sorted by name.
    pub dependencies: Vec<(String, String)>,
}

impl OracleVersions {
    /// Reads the versions recorded in the embedded lockfile.
    pub fn from_lockfile() -> OracleVersions {
        let lock: serde_json::Value = serde_json::from_str(PACKAGE_LOCK).unwrap_or_default();
        let mut package = String::from("unknown");
        let mut dependencies = Vec::new();
        let packages = lock.get("packages").and_then(serde_json::Value::as_object);
        for (path, entry) in packages.into_iter().flatten() {
            let Some(name) = path.strip_prefix("node_modules/") else {
                continue;
            };
            let version = entry
                .get("version")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("unknown")
                .to_owned();
            if name == PACKAGE_NAME {
                package = version;
            } else {
                dependencies.push((name.to_owned(), version));
            }
        }
        dependencies.sort();
        OracleVersions {
            package,
            dependencies,
        }
    }
}

impl std::fmt::Display for OracleVersions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{PACKAGE_NAME} {}", self.package)?;
        let dependencies: Vec<String> = self
            .dependencies
            .iter()
            .map(|(name, version)| format!("{name} {version}"))
            .collect();
        if !dependencies.is_empty() {
            write!(f, " (with {})", dependencies.join(", "))?;
        }
        Ok(())
    }
}

/// An installed oracle: a directory holding the runner and its `node_modules`.
#[derive(Debug, Clone)]
pub struct Installation {
    dir: PathBuf,
}

impl Installation {
    /// Finds the oracle in `cache`, installing it there first if it is missing. Concurrent
    /// processes share one install: the first takes a lock file, the others wait for it.
    pub fn provision(cache: &Path) -> Result<Installation, OracleError> {
        check_node()?;
        let name = format!("iam-simulate-{}", files_hash());
        let dir = cache.join(&name);
        let installation = Installation { dir };
        if installation.is_complete() {
            tracing::debug!(dir = %installation.dir.display(), "oracle already provisioned");
            return Ok(installation);
        }

        check_tool("npm")?;
        let lock_path = cache.join(format!("{name}.lock"));
        let _lock = InstallLock::acquire(&lock_path, scpcheck_cache::DEFAULT_PATIENCE).map_err(
            OracleError::io(format!(
                "cannot take the install lock `{}`",
                lock_path.display()
            )),
        )?;
        if installation.is_complete() {
            return Ok(installation);
        }
        tracing::info!(dir = %installation.dir.display(), "installing the oracle (first use)");
        if let Err(error) = installation.install() {
            let _ = std::fs::remove_dir_all(&installation.dir);
            return Err(error);
        }
        Ok(installation)
    }

    /// The directory the runner and its packages are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How to start the runner of this installation.
    pub fn command(&self) -> OracleCommand {
        OracleCommand::node_script(&self.dir, "runner.mjs")
    }

    fn is_complete(&self) -> bool {
        scpcheck_cache::is_installed(&self.dir) && self.dir.join("node_modules").exists()
    }

    fn install(&self) -> Result<(), OracleError> {
        let _ = std::fs::remove_dir_all(&self.dir);
        std::fs::create_dir_all(&self.dir).map_err(OracleError::io(format!(
            "cannot create `{}`",
            self.dir.display()
        )))?;
        for (file, text) in [
            ("package.json", PACKAGE_JSON),
            ("package-lock.json", PACKAGE_LOCK),
            ("runner.mjs", RUNNER),
        ] {
            let path = self.dir.join(file);
            std::fs::write(&path, text).map_err(OracleError::io(format!(
                "cannot write `{}`",
                path.display()
            )))?;
        }

        let output = Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|error| OracleError::Install {
                dir: self.dir.clone(),
                detail: error.to_string(),
            })?;
        if !output.status.success() {
            return Err(OracleError::Install {
                dir: self.dir.clone(),
                detail: last_lines(&output.stderr, 5),
            });
        }

        scpcheck_cache::mark_installed(&self.dir, &files_hash()).map_err(OracleError::io(format!(
            "cannot mark `{}` installed",
            self.dir.display()
        )))
    }
}

/// The first 16 hex digits of the SHA-256 of the three files, so that a changed pin or runner
/// gets a fresh install beside the old one.
pub fn files_hash() -> String {
    let mut hasher = Sha256::new();
    for text in [PACKAGE_JSON, PACKAGE_LOCK, RUNNER] {
        hasher.update(text.as_bytes());
        hasher.update([0]);
    }
    let digest = hex::encode(hasher.finalize());
    digest.get(..16).unwrap_or(&digest).to_owned()
}

/// Checks that `node` runs and is recent enough.
fn check_node() -> Result<(), OracleError> {
    let version = check_tool("node")?;
    let major = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|major| major.parse::<u32>().ok());
    match major {
        Some(major) if major >= NODE_MAJOR_REQUIRED => Ok(()),
        _ => Err(OracleError::NodeTooOld {
            found: version.trim().to_owned(),
            required: NODE_MAJOR_REQUIRED,
        }),
    }
}

/// Runs `program --version` and returns what it printed.
fn check_tool(program: &str) -> Result<String, OracleError> {
    let missing = |detail: String| OracleError::ToolMissing {
        program: program.to_owned(),
        detail,
    };
    let output = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|error| missing(error.to_string()))?;
    if !output.status.success() {
        return Err(missing(format!(
            "`{program} --version` exited with {}",
            output.status
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn last_lines(bytes: &[u8], count: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let start = lines.len().saturating_sub(count);
    lines.get(start..).unwrap_or_default().join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_come_from_the_lockfile() {
        let versions = OracleVersions::from_lockfile();
        assert_eq!(versions.package, "0.1.173");
        let names: Vec<&str> = versions
            .dependencies
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert!(names.contains(&"@cloud-copilot/iam-policy"), "{names:?}");
        assert!(versions.to_string().starts_with(PACKAGE_NAME));
    }

    #[test]
    fn the_lockfile_names_no_download_host() {
        assert!(!PACKAGE_LOCK.contains("\"resolved\""));
    }

    #[test]
    fn hash_is_stable_and_short() {
        assert_eq!(files_hash(), files_hash());
        assert_eq!(files_hash().len(), 16);
    }

    #[test]
    fn a_missing_tool_is_reported_with_its_name() {
        let error = check_tool("scpcheck-no-such-program").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("`scpcheck-no-such-program` was not found"),
            "{error}"
        );
        let help = miette::Diagnostic::help(&error).map(|help| help.to_string());
        assert!(help.is_some_and(|help| help.contains("Node.js")));
    }
}
