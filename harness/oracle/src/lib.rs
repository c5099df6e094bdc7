//! Differential testing of scpcheck's reference evaluator against an independent implementation
//! of AWS policy evaluation, the npm package `@cloud-copilot/iam-simulate`.
//!
//! The package runs as a separate test-time process ([`Oracle`]), installed on first use into a
//! cache directory ([`Installation`]). [`compare`] generates cases of a [`CaseKind`] from a seed
//! ([`generate`]): organizations and requests, compared on the SCP layer, or organizations,
//! identity policies, resource-based policies and requests by callers of two accounts, compared
//! on the overall decision. It asks both sides, and explains each disagreement by a
//! [`KnownDeparture`] of the oracle from AWS's documentation or reports it, shrunk, as a
//! decision vector.

pub mod case;
mod client;
pub mod compare;
mod error;
pub mod generate;
pub mod known_departures;
pub mod principals;
mod protocol;
mod provision;
mod reduce;
pub mod vector;
pub mod vocabulary;

pub use client::{Oracle, OracleCommand, OracleOptions};
pub use compare::{CompareError, CompareOptions, Disagreement, Report, compare};
pub use error::OracleError;
pub use generate::CaseKind;
pub use known_departures::{Handling, KnownDeparture, Verdict};
pub use protocol::{OracleAnswer, OracleLevel, OraclePermissions, OraclePolicy, OracleRequest};
pub use provision::{
    Installation, OracleVersions, PACKAGE_JSON, PACKAGE_LOCK, PACKAGE_NAME, RUNNER, cache_dir,
    files_hash,
};

/// Installs the oracle if needed and starts it with the default options.
pub fn start_default() -> Result<Oracle, OracleError> {
    let installation = Installation::provision(&cache_dir())?;
    Oracle::start(installation.command(), OracleOptions::default())
}
