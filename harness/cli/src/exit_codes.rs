//! The documented exit codes of `scpcheck`.

/// Every case conformed or is an accepted gap.
pub const SUCCESS: i32 = 0;
/// A policy gap, a divergence, a case without a decision, or a created resource whose state
/// is not what the call asked for.
pub const CONFORMANCE_FAILURE: i32 = 1;
/// A scenario file, policy file, layout file or command-line argument is invalid.
pub const INVALID_INPUT: i32 = 2;
/// The emulator could not be provisioned or started, or the target could not be set up.
pub const TARGET_UNAVAILABLE: i32 = 3;
/// A bug in scpcheck.
pub const INTERNAL_ERROR: i32 = 4;
/// The run was interrupted (Ctrl-C); the results so far were still written.
pub const INTERRUPTED: i32 = 130;
